using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Persistence;

namespace Portal.Core.Notifications;

/// One counter per kind of configuration that instances cache (`ConfigGenerations.Areas`), bumped in the transaction
/// of every change to it.
public sealed class ConfigGenerationEntity
{
    public required string Area { get; set; }
    public long Generation { get; set; }
}

/// What makes a configuration change on one instance in force on every instance for the next event (contract section
/// 7): before an event is evaluated or a webhook verified, `EnsureCurrentAsync` reads the counters (one small query of
/// a three-row table) and has the caches of the areas that moved reload from the database. The change bus only makes
/// that happen sooner. A cache registers its reload with `Watch`; a change bumps its area with `BumpAsync` inside its
/// own transaction, so that whoever sees the new counter also sees the change. On SQLite one process owns the file
/// (`DatabaseFileLock`) and its caches are written through, so the check is skipped.
public sealed partial class ConfigGenerations(IDbContextFactory<PortalDbContext> dbFactory, ILogger<ConfigGenerations> logger)
{
    public const string Objects = "objects";
    public const string Settings = "settings";
    public const string Rules = "rules";

    /// Every area, in the order their caches reload: the rules compile against the object types.
    public static readonly IReadOnlyList<string> Areas = [Objects, Settings, Rules];

    private readonly Dictionary<string, Func<CancellationToken, Task>> _reloads = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private Dictionary<string, long>? _seen;
    private bool? _shared;
    // set for the rest of a request whose configuration was checked when it arrived (`CheckedForThisFlow`)
    private static readonly AsyncLocal<bool> s_checkedInFlow = new();

    /// The rest of this async flow (an HTTP request, checked as it arrived) works with the configuration as it was
    /// then: the checks made further in (the rules of a record it writes) return at once, until disposed.
    public static IDisposable CheckedForThisFlow()
    {
        var outer = s_checkedInFlow.Value;
        s_checkedInFlow.Value = true;
        return new FlowEnd(outer);
    }

    private sealed class FlowEnd(bool outer) : IDisposable
    {
        public void Dispose() => s_checkedInFlow.Value = outer;
    }

    /// Calls `reload` when another instance changed `area` (the cache then reads the database again and tells its own
    /// subscribers what differs).
    public void Watch(string area, Func<CancellationToken, Task> reload)
    {
        lock (_reloads) _reloads[area] = reload;
    }

    /// Moves `area`'s counter on, in `db`'s current transaction (call it from inside the unit of work of the change).
    public static Task BumpAsync(PortalDbContext db, string area, CancellationToken cancellationToken) =>
        db.Set<ConfigGenerationEntity>().Where(g => g.Area == area)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.Generation, g => g.Generation + 1), cancellationToken);

    /// Reloads the caches whose configuration changed since the last check; a no-op on SQLite.
    public async ValueTask EnsureCurrentAsync(CancellationToken cancellationToken = default)
    {
        if (_shared == false || s_checkedInFlow.Value) return;
        Dictionary<string, long> current;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (_shared is null && !(_shared = db.Database.IsNpgsql()).Value) return;
            // read before the caches reload, so that a change committed meanwhile shows as a move on the next check
            current = await db.Set<ConfigGenerationEntity>().AsNoTracking().ToDictionaryAsync(g => g.Area, g => g.Generation, cancellationToken);
        }
        if (_seen is { } seen && Areas.All(a => current.GetValueOrDefault(a) == seen.GetValueOrDefault(a))) return;
        await _reloading.WaitAsync(cancellationToken);
        try
        {
            var before = _seen;
            foreach (var area in Areas)
            {
                // the first check reloads everything: what was cached before it was read unchecked
                if (before is not null && current.GetValueOrDefault(area) <= before.GetValueOrDefault(area)) continue;
                Func<CancellationToken, Task>? reload;
                lock (_reloads) _reloads.TryGetValue(area, out reload);
                if (reload is null) continue;
                LogReloading(area, current.GetValueOrDefault(area));
                await reload(cancellationToken);
            }
            // only forward: a slower check must not take back what a newer one recorded
            _seen = Areas.ToDictionary(a => a, a => Math.Max(current.GetValueOrDefault(a), before?.GetValueOrDefault(a) ?? 0));
        }
        finally
        {
            _reloading.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Configuration {Area} is at generation {Generation} in the database: reloading it")]
    private partial void LogReloading(string area, long generation);
}

using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Logging;
using Portal.Core.Persistence;
using Portal.Core.Security;

namespace Portal.Core.Settings;

public sealed class SettingEntity
{
    public required string Key { get; set; }
    public required string Value { get; set; }
    public DateTime UpdatedUtc { get; set; }
    public string? UpdatedBy { get; set; }
}

/// A setting that can hold a value Portal cannot use: `Validate` throws `PortalValidationException` naming the property,
/// and the store saves nothing.
public interface IValidatedSetting
{
    void Validate();
}

/// Settings kept in the database as JSON documents, one per key, read through a small cache. A save for a caller checks
/// that the caller may change that setting now (AccessCheck); the unchecked saves are for the services that checked
/// their caller themselves (the PagerDuty connection, the webhook subscription) and for tests. A setting saved by
/// another instance is read again once `ConfigGenerations` sees the settings move, and announced here as `SettingChanged`.
public sealed class SettingsStore
{
    // enums as names, so that stored settings and their audit entries read "Debug", not 0 (numbers still read)
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private readonly IDbContextFactory<PortalDbContext> dbFactory;
    private readonly TimeProvider clock;
    private readonly AccessCheck access;
    private readonly Notifications.ChangeNotifier notifier;
    private readonly Dictionary<string, object> _cache = new(StringComparer.Ordinal);
    // the stored JSON of each setting as this instance last knew it (null: no row), to tell which ones another instance changed
    private readonly Dictionary<string, string?> _known = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    // moves on with each reload, so that a read that started before it does not cache what it read
    private long _epoch;

    public SettingsStore(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, AccessCheck access, Notifications.ChangeNotifier notifier,
        Notifications.ConfigGenerations generations)
    {
        (this.dbFactory, this.clock, this.access, this.notifier) = (dbFactory, clock, access, notifier);
        generations.Watch(Notifications.ConfigGenerations.Settings, ReloadAsync);
    }

    // subscribers learn of a saved setting from its row (`SettingChanged`, after the commit)

    public async Task<T> GetAsync<T>(string key, Func<T> defaults, CancellationToken cancellationToken = default) where T : class
    {
        long epoch;
        lock (_lock)
        {
            if (_cache.TryGetValue(key, out var cached)) return (T)cached;
            epoch = _epoch;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Settings.AsNoTracking().FirstOrDefaultAsync(s => s.Key == key, cancellationToken);
        var value = row is null ? defaults() : JsonSerializer.Deserialize<T>(row.Value, s_json) ?? defaults();
        lock (_lock)
        {
            if (epoch == _epoch)
            {
                _cache[key] = value;
                _known[key] = row?.Value;
            }
        }
        return value;
    }

    /// Reads every setting again and forgets the cached ones that differ from the database, announcing each.
    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Settings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value, cancellationToken);
        List<string> changed;
        lock (_lock)
        {
            _epoch++;
            changed = [.. _known.Where(k => rows.GetValueOrDefault(k.Key) != k.Value).Select(k => k.Key)];
            foreach (var key in changed)
            {
                _cache.Remove(key);
                _known.Remove(key);
            }
        }
        foreach (var key in changed) notifier.PublishReceived(new Notifications.SettingChanged(key));
    }

    public async Task SaveAsync<T>(string key, T value, ClaimsPrincipal by, CancellationToken cancellationToken = default) where T : class, new() =>
        await SaveAsync(key, value, (await access.DemandAsync(by, WritePermission(key), cancellationToken)).Name, audit: null, cancellationToken);

    /// Business hours belong to the rules (the Rulesets tab); every other setting is configuration.
    public static string WritePermission(string key) =>
        key == Rulesets.BusinessHoursSettings.Key ? Permissions.RulesWrite : Permissions.ConfigWrite;

    internal Task SaveAsync<T>(string key, T value, string updatedBy, CancellationToken cancellationToken = default) where T : class, new() =>
        SaveAsync(key, value, updatedBy, audit: null, cancellationToken);

    /// Saves the setting with `audit` (what the change means, beside the setting's own before/after entry) in the same
    /// transaction; `audit` is stored even when the values are the same.
    internal async Task SaveAsync<T>(string key, T value, string updatedBy, LogEntryEntity? audit, CancellationToken cancellationToken = default)
        where T : class, new()
    {
        (value as IValidatedSetting)?.Validate();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.Settings.FirstOrDefaultAsync(s => s.Key == key, cancellationToken);
        var json = JsonSerializer.Serialize(value, s_json);
        // before the first save the setting had its defaults
        var before = row?.Value ?? JsonSerializer.Serialize(new T(), s_json);
        if (row is null) db.Settings.Add(row = new SettingEntity { Key = key, Value = json });
        row.Value = json;
        row.UpdatedUtc = clock.GetUtcNow().UtcDateTime;
        row.UpdatedBy = updatedBy;
        // the audit entry is stored with the change itself, so neither can exist without the other
        if (before != json) db.LogEntries.Add(ConfigAudit.SettingsEntry(key, before, json, updatedBy, row.UpdatedUtc));
        if (audit is not null) db.LogEntries.Add(audit);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await Notifications.ConfigGenerations.BumpAsync(db, Notifications.ConfigGenerations.Settings, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        // the cache holds the new value before the commit tells anyone, and never a value that did not commit
        lock (_lock)
        {
            _cache[key] = value;
            _known[key] = json;
        }
        try
        {
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            lock (_lock)
            {
                _cache.Remove(key);
                _known.Remove(key);
            }
            throw;
        }
    }
}

/// The Object Mappings tab's integration settings, as the original integration has them.
public sealed record IntegrationSettings
{
    public const string Key = "integration";

    public bool SyncCommentsToNotes { get; init; } = true;
    public bool RunRulesOnCaseCreation { get; init; } = true;
    public bool RunRulesOnCaseComments { get; init; }
    public bool RunRulesOnIncidentCreation { get; init; } = true;
    /// The PagerDuty user's e-mail sent as `From` on incident writes; `PagerDuty:FromEmail` wins when set.
    public string? IntegrationEmail { get; init; }
}

/// Which console a record page shows, per object type, as the original's three placements (Object Mappings tab).
public sealed record ConsoleSettings
{
    public const string Key = "console";
    public const string Combined = "combined";
    public const string CommandConsole = "commandConsole";
    public const string StatusDashboard = "statusDashboard";
    public static readonly IReadOnlyList<string> Placements = [Combined, CommandConsole, StatusDashboard];

    /// Object type name → placement; a type not listed shows the combined console (the original's recommendation).
    public IReadOnlyDictionary<string, string> Placement { get; init; } = new Dictionary<string, string>();

    public string For(string objectName) => Placement.GetValueOrDefault(objectName) is { } placement && Placements.Contains(placement) ? placement : Combined;

    public ConsoleSettings With(string objectName, string placement)
    {
        if (!Placements.Contains(placement))
            throw new PortalValidationException("placement", $"'{placement}' is not a console placement; use {string.Join(", ", Placements)}.");
        return new ConsoleSettings { Placement = new Dictionary<string, string>(Placement) { [objectName] = placement } };
    }

    public static string Label(string placement) => placement switch
    {
        CommandConsole => "Command Console",
        StatusDashboard => "Status Dashboard",
        _ => "PagerDuty Combined Console (recommended)",
    };
}

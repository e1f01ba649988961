using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Persistence;
using Portal.Core.PagerDuty;
using Portal.Core.Webhooks;

namespace Portal.Core.StatusDashboard;

/// The `StatusDashboard` configuration section.
public sealed class StatusDashboardOptions
{
    public const string Section = "StatusDashboard";

    /// How long a read of PagerDuty serves every page before the next one.
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromSeconds(60);
    /// The least time between two reads, whatever asks (incident events, the Refresh button).
    public TimeSpan MinRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// How long the full list of business services is kept (only read when PagerDuty's impacts list leaves some out).
    public TimeSpan ListLifetime { get; set; } = TimeSpan.FromMinutes(5);
    /// The dashboard's own share of the PagerDuty request budget (`RequestBudget`), apart from the dispatcher's
    /// (`Dispatch:RequestsPerMinute`, 720): a dashboard refresh can never take the dispatcher's requests, and all callers
    /// together stay within PagerDuty's 960 in any 60 seconds.
    public int RequestsPerMinute { get; set; } = 120;
}

public sealed record ImpactingIncident(string Id, long Number, string Title, string Status, string Urgency, string? Priority, string HtmlUrl,
    DateTime CreatedUtc, StatusUpdateDto? LatestUpdate);

public sealed record BusinessServiceStatus(string Id, string Name, bool Impacted, string? HighestPriority, IReadOnlyList<ImpactingIncident> Incidents);

/// What the Status Dashboard shows. `Error` is PagerDuty's own words when the last read failed: the services shown are
/// then those of the last good read (`LastGoodReadAt`), if any, and `FailingSince` says since when PagerDuty could not
/// be read. `Notice` says what is incomplete and why.
public sealed record StatusDashboardView(PagerDutyMode Mode, IReadOnlyList<BusinessServiceStatus> Services, DateTimeOffset? ReadAt, string? Error,
    string? Notice)
{
    public DateTimeOffset? LastGoodReadAt { get; init; }
    public DateTimeOffset? FailingSince { get; init; }

    public int ImpactedCount => Services.Count(s => s.Impacted);
}

/// Business services, whether they are impacted, and the open incidents impacting each with their latest status
/// update. PagerDuty is read at most once per `CacheLifetime` for all pages of all instances sharing the database
/// together (one read at a time: the read is stored, `StatusDashboardReads`, and on PostgreSQL one instance at a time
/// reads PagerDuty), again sooner when an incident event arrives or someone asks, but never more often than
/// `MinRefreshInterval`, and within the dashboard's own request budget. Status updates come from Portal's database, so
/// a new one shows at once without reading PagerDuty. Errors never reach the page as exceptions: they come back in
/// plain words.
public sealed class BusinessImpacts
{
    /// The turn (`PostgresTurn`) that lets one instance at a time read PagerDuty for the dashboard.
    public const string ReadTurn = "status dashboard read";
    /// How often an instance that finds another reading PagerDuty looks for its read.
    private static readonly TimeSpan OtherReaderPoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan OtherReaderPatience = TimeSpan.FromSeconds(30);

    private readonly PagerDutyConnection _connection;
    private readonly IncidentStatusUpdates _statusUpdates;
    private readonly StatusDashboardReads _reads;
    private readonly IDbContextFactory<PortalDbContext> _dbFactory;
    private readonly TimeProvider _clock;
    private readonly StatusDashboardOptions _options;
    private readonly RequestBudget _budget;
    private readonly SemaphoreSlim _reading = new(1, 1);
    // when an event last told of each incident (its business services may have changed since a read before that), and
    // when everything was last forgotten (a new connection)
    private readonly ConcurrentDictionary<string, DateTimeOffset> _forgotten = new(StringComparer.Ordinal);
    private long _forgotAllTicks;
    // counts the events that make a read stale; a snapshot knows the count when its read began
    private long _staleGeneration;
    private volatile Snapshot? _snapshot;
    private (IReadOnlyList<PdReference> Services, DateTimeOffset Until)? _allServices;
    private int _deferred;

    private readonly Notifications.ChangeNotifier _notifier;

    public BusinessImpacts(PagerDutyConnection connection, IncidentStatusUpdates statusUpdates, StatusDashboardReads reads,
        IDbContextFactory<PortalDbContext> dbFactory, Notifications.ChangeNotifier notifier, RequestBudget budget, TimeProvider clock,
        IOptions<StatusDashboardOptions> options)
    {
        _connection = connection;
        _statusUpdates = statusUpdates;
        _reads = reads;
        _dbFactory = dbFactory;
        _clock = clock;
        _options = options.Value;
        _budget = budget;
        _notifier = notifier;
        notifier.Subscribe<Notifications.IncidentEventProcessed>(processed => OnIncidentEvent(processed.Event));
        notifier.Subscribe<Notifications.StatusUpdateAdded>(_ => Changed());
        notifier.Subscribe<Notifications.SettingChanged>(setting => { if (setting.Key == ConnectionSettings.Key) Invalidate(null); });
    }

    /// Tells pages that what the dashboard shows may have changed (an incident event, a new status update, a read done
    /// later): they then call `GetAsync` again.
    private void Changed() => _notifier.Publish(new Notifications.BusinessImpactsChanged());

    /// A read, and how many stale-making events this instance had seen when it began (`long.MinValue`: a read of
    /// another instance, older than an event seen here).
    private sealed record Snapshot(StatusDashboardRead Read, long SeenGeneration)
    {
        public PagerDutyMode Mode => Read.Mode;
        public DateTimeOffset ReadAt => Read.ReadAt;
        public StatusDashboardContent Content => Read.Content;
    }

    public async Task<StatusDashboardView> GetAsync(bool refresh = false, CancellationToken cancellationToken = default)
    {
        PagerDutyMode mode;
        try
        {
            mode = (await _connection.StatusAsync(cancellationToken)).Mode;
        }
        catch (InvalidOperationException e)
        {
            return new StatusDashboardView(PagerDutyMode.Sandbox, [], null, e.Message, null);
        }
        var snapshot = await SnapshotAsync(mode, refresh, cancellationToken);
        var incidentIds = snapshot.Content.IncidentImpacts.Keys.ToList();
        var latest = await _statusUpdates.LatestAsync(incidentIds, cancellationToken);
        return Build(snapshot.Read, latest);
    }

    /// Forgets what was read, so that the next `GetAsync` reads PagerDuty (within `MinRefreshInterval`).
    public void Invalidate(string? incidentId)
    {
        var now = _clock.GetUtcNow();
        if (incidentId is null) Interlocked.Exchange(ref _forgotAllTicks, now.UtcTicks);
        else _forgotten[incidentId] = now;
        Interlocked.Increment(ref _staleGeneration);
        Changed();
    }

    private void OnIncidentEvent(PagerDutyWebhookEvent e)
    {
        // a status update changes nothing PagerDuty would tell: it is in the database already
        if (e.StatusUpdate is not null) Changed();
        else Invalidate(e.Incident.IncidentId);
    }

    private bool IsStale(Snapshot snapshot) => Interlocked.Read(ref _staleGeneration) > snapshot.SeenGeneration;

    private async Task<Snapshot> SnapshotAsync(PagerDutyMode mode, bool refresh, CancellationToken cancellationToken)
    {
        var seen = _snapshot;
        if (!NeedsRead(seen, mode, refresh)) return DeferIfStale(seen!);
        await _reading.WaitAsync(cancellationToken);
        try
        {
            // another page's read may have finished while this one waited
            var current = _snapshot;
            if (current != seen && current is not null && current.Mode == mode) return current;
            if (!NeedsRead(current, mode, refresh)) return DeferIfStale(current!);
            // another instance (or this one before a restart) may have read PagerDuty since
            if (await AdoptStoredAsync(mode, current, cancellationToken) is { } stored)
            {
                current = stored;
                if (!NeedsRead(current, mode, refresh)) return current;
            }
            var waited = TimeSpan.Zero;
            while (true)
            {
                await using var turn = await PostgresTurn.TryTakeAsync(_dbFactory, ReadTurn, cancellationToken);
                if (turn is { Taken: false })
                {
                    // another instance is reading PagerDuty now: show what is known and look again in a moment, or,
                    // knowing nothing yet, wait for its read
                    if (current is not null && current.Mode == mode)
                    {
                        DeferChanged(OtherReaderPoll, TimeProvider.System);
                        return current;
                    }
                    if (waited >= OtherReaderPatience) throw new TimeoutException("Another instance has been reading PagerDuty for the Status Dashboard for 30 s.");
                    await Task.Delay(OtherReaderPoll, cancellationToken);
                    waited += OtherReaderPoll;
                    if (await AdoptStoredAsync(mode, current, cancellationToken) is { } theirs) return theirs;
                    continue;
                }
                // a read may have been stored between the look above and the turn
                if (turn is not null && await AdoptStoredAsync(mode, current, cancellationToken) is { } justStored)
                {
                    current = justStored;
                    if (!NeedsRead(current, mode, refresh)) return current;
                }
                var generation = Interlocked.Read(ref _staleGeneration);
                var read = new Snapshot(await ReadAsync(mode, current?.Mode == mode ? current : null, cancellationToken), generation);
                await _reads.SaveAsync(read.Read, cancellationToken);
                _snapshot = read;
                return read;
            }
        }
        finally
        {
            _reading.Release();
        }
    }

    // The stored read, when it is newer than `current`: what this instance shows from now on.
    private async Task<Snapshot?> AdoptStoredAsync(PagerDutyMode mode, Snapshot? current, CancellationToken cancellationToken)
    {
        var stored = await _reads.LoadAsync(mode, cancellationToken);
        if (stored is null || (current is not null && current.Mode == mode && stored.ReadAt <= current.ReadAt)) return null;
        // a read begun before an event seen here is stale for this instance
        var lastEvent = _forgotten.Values.DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var forgotAll = new DateTimeOffset(Interlocked.Read(ref _forgotAllTicks), TimeSpan.Zero);
        var generation = stored.ReadAt > lastEvent && stored.ReadAt > forgotAll ? Interlocked.Read(ref _staleGeneration) : long.MinValue;
        var adopted = new Snapshot(stored, generation);
        _snapshot = adopted;
        return adopted;
    }

    private bool NeedsRead(Snapshot? snapshot, PagerDutyMode mode, bool refresh)
    {
        if (snapshot is null || snapshot.Mode != mode) return true;
        var now = _clock.GetUtcNow();
        if (now >= snapshot.ReadAt + _options.CacheLifetime) return true;
        return (refresh || IsStale(snapshot)) && now >= snapshot.ReadAt + _options.MinRefreshInterval;
    }

    // An event arrived too soon after the last read: read once the interval is over, and tell the pages.
    private Snapshot DeferIfStale(Snapshot snapshot)
    {
        if (IsStale(snapshot)) DeferChanged(snapshot.ReadAt + _options.MinRefreshInterval - _clock.GetUtcNow(), _clock);
        return snapshot;
    }

    // Tells the pages after `wait`, once however often it is asked for meanwhile.
    private void DeferChanged(TimeSpan wait, TimeProvider clock)
    {
        if (Interlocked.CompareExchange(ref _deferred, 1, 0) != 0) return;
        _ = Task.Run(async () =>
        {
            try
            {
                if (wait > TimeSpan.Zero) await Task.Delay(wait, clock);
            }
            finally
            {
                Interlocked.Exchange(ref _deferred, 0);
            }
            Changed();
        });
    }

    // Whether what a read at `readAt` found about the incident still holds (no event told of it since).
    private bool StillKnown(string incidentId, DateTimeOffset readAt) =>
        readAt.UtcTicks > Interlocked.Read(ref _forgotAllTicks) && !(_forgotten.TryGetValue(incidentId, out var told) && told >= readAt);

    private async Task<StatusDashboardRead> ReadAsync(PagerDutyMode mode, Snapshot? previous, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        // the sandbox is inside Portal: no PagerDuty request is spent on it
        var live = mode == PagerDutyMode.Live;
        // what a read asks for is paid from the dashboard's share (its takes below first, then request by request)
        using var budgetScope = RequestBudget.Scope(RequestCallers.Dashboard);
        var before = previous?.Read;
        try
        {
            var client = await _connection.ClientAsync(cancellationToken);
            var needed = 2 + (before?.Content.Incidents.Count ?? 0) / 100;
            if (live && await TakeAsync(needed, cancellationToken) is { Granted: 0 } refused)
            {
                var notice = refused.Paused
                    ? $"PagerDuty asked Portal to slow down (429); it reads PagerDuty again after {refused.RetryAtUtc:HH:mm:ss} UTC."
                    : "The dashboard's PagerDuty request budget is spent for now; it reads PagerDuty again within a minute.";
                return before is null
                    ? new StatusDashboardRead(mode, Empty, now, null, notice, null, null)
                    : before with { Notice = notice };
            }

            var impacts = await client.ListBusinessServiceImpactsAsync(null, cancellationToken);
            var services = impacts.Services.ToList();
            if (impacts.More) services.AddRange(await OthersAsync(client, services, live, cancellationToken));
            var incidents = await client.ListOpenIncidentsAsync(cancellationToken);

            var skipped = 0;
            var byIncident = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            // nothing impacted: no incident impacts anything, and no incident needs a look
            var anyImpacted = services.Any(s => s.Impacted);
            foreach (var incident in incidents)
            {
                if (!anyImpacted)
                {
                    byIncident[incident.Id] = [];
                    continue;
                }
                // the business services an incident impacts change only with the incident: read once per incident,
                // again after an event about it
                if (before is null || !before.Content.IncidentImpacts.TryGetValue(incident.Id, out var ids) || !StillKnown(incident.Id, before.ReadAt))
                {
                    if (live && await TakeAsync(1, cancellationToken) is { Granted: 0 })
                    {
                        skipped++;
                        continue;
                    }
                    ids = await ImpactsOfAsync(client, incident.Id, cancellationToken);
                }
                byIncident[incident.Id] = ids;
            }
            // what events told before this read began is in it now
            foreach (var (id, told) in _forgotten) if (told < now) _forgotten.TryRemove(new KeyValuePair<string, DateTimeOffset>(id, told));

            var incomplete = skipped == 0 ? null
                : $"{skipped} open incident(s) not shown under their business services yet: the dashboard's PagerDuty request budget is spent; the next read adds them.";
            return new StatusDashboardRead(mode, new StatusDashboardContent(services, incidents, byIncident), now, null, incomplete, now, null);
        }
        catch (PagerDutyException e)
        {
            var error = e.StatusCode switch
            {
                _ when e.BudgetSpent => e.Message,
                null => $"PagerDuty could not be reached: {e.Describe()}",
                401 or 403 => $"PagerDuty refused the request ({e.StatusCode}): {e.Describe()}",
                _ => $"PagerDuty answered {e.StatusCode}: {e.Describe()}",
            };
            var failingSince = before?.FailingSince ?? now;
            return before?.LastGoodReadAt is { } good
                ? before with { ReadAt = now, Error = error, Notice = $"Showing the last good read, at {good:HH:mm:ss} UTC.", FailingSince = failingSince }
                : new StatusDashboardRead(mode, Empty, now, error, null, null, failingSince);
        }
    }

    private static readonly StatusDashboardContent Empty = new([], [], new Dictionary<string, IReadOnlyList<string>>());

    // PagerDuty's impacts list stops at its limit (most impacted first); the rest come from the full list.
    private async Task<IReadOnlyList<PdBusinessServiceImpact>> OthersAsync(IPagerDuty client, List<PdBusinessServiceImpact> listed, bool live,
        CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        if (_allServices is not { } all || all.Until <= now)
        {
            // no request without its grant: with the budget spent, the services past PagerDuty's list wait for the next read
            if (live && await TakeAsync(1 + listed.Count / 100, cancellationToken) is { Granted: 0 }) return [];
            all = (await client.ListBusinessServicesAsync(cancellationToken), now + _options.ListLifetime);
            _allServices = all;
        }
        var known = listed.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var missing = all.Services.Where(s => !known.Contains(s.Id)).ToList();
        if (missing.Count == 0) return [];
        // a not-impacted service in the list means every impacted one is in it: the rest are not impacted
        if (listed.Any(s => !s.Impacted)) return missing.Select(s => new PdBusinessServiceImpact(s.Id, s.Name, false)).ToList();
        if (live && await TakeAsync((missing.Count + 99) / 100, cancellationToken) is { Granted: 0 }) return [];
        return (await client.ListBusinessServiceImpactsAsync(missing.Select(s => s.Id).ToList(), cancellationToken)).Services;
    }

    private static async Task<IReadOnlyList<string>> ImpactsOfAsync(IPagerDuty client, string incidentId, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.ListIncidentImpactsAsync(incidentId, cancellationToken)).Select(s => s.Id).ToList();
        }
        catch (PagerDutyException e) when (e.StatusCode == 404)
        {
            return []; // resolved and gone between the two calls
        }
    }

    // requests granted ahead, which the read's own requests then use first (`RequestBudget.Current`)
    private async Task<BudgetGrant> TakeAsync(int requests, CancellationToken cancellationToken)
    {
        var grant = await _budget.TakeAsync(RequestCallers.Dashboard, requests, cancellationToken);
        RequestBudget.Current?.Prepay(grant.Granted, grant.TakenUtc);
        return grant;
    }

    private static StatusDashboardView Build(StatusDashboardRead read, IReadOnlyDictionary<string, StatusUpdateDto> latest)
    {
        var snapshot = read.Content;
        var byService = new Dictionary<string, List<ImpactingIncident>>(StringComparer.Ordinal);
        foreach (var incident in snapshot.Incidents)
        {
            if (!snapshot.IncidentImpacts.TryGetValue(incident.Id, out var serviceIds)) continue;
            var shown = new ImpactingIncident(incident.Id, incident.Number, incident.Title, incident.Status, incident.Urgency, incident.PriorityName,
                incident.HtmlUrl, incident.CreatedUtc, latest.GetValueOrDefault(incident.Id));
            foreach (var serviceId in serviceIds)
            {
                if (!byService.TryGetValue(serviceId, out var list)) byService[serviceId] = list = [];
                list.Add(shown);
            }
        }

        var services = snapshot.Services
            .Select(s =>
            {
                var incidents = byService.GetValueOrDefault(s.Id)?.OrderByDescending(i => i.CreatedUtc).ToList() ?? [];
                var priority = s.HighestImpactingPriorityId is null ? null
                    : snapshot.Incidents.FirstOrDefault(i => i.PriorityId == s.HighestImpactingPriorityId)?.PriorityName ?? s.HighestImpactingPriorityId;
                return new BusinessServiceStatus(s.Id, s.Name, s.Impacted || incidents.Count > 0, priority, incidents);
            })
            // impacted first, most recently impacted first among them (as PagerDuty sorts), then by name
            .OrderByDescending(s => s.Impacted)
            .ThenByDescending(s => s.Incidents.Count == 0 ? DateTime.MinValue : s.Incidents[0].CreatedUtc)
            .ThenBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return new StatusDashboardView(read.Mode, services, read.ReadAt, read.Error, read.Notice)
        {
            LastGoodReadAt = read.LastGoodReadAt, FailingSince = read.FailingSince,
        };
    }
}

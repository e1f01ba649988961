using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
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

/// What the Status Dashboard shows. `Error` is PagerDuty's own words when the last read failed (the services shown are
/// then those of the read before, if any); `Notice` says what is incomplete and why.
public sealed record StatusDashboardView(PagerDutyMode Mode, IReadOnlyList<BusinessServiceStatus> Services, DateTimeOffset? ReadAt, string? Error,
    string? Notice)
{
    public int ImpactedCount => Services.Count(s => s.Impacted);
}

/// Business services, whether they are impacted, and the open incidents impacting each with their latest status
/// update. PagerDuty is read at most once per `CacheLifetime` for all pages together (one read at a time), again
/// sooner when an incident event arrives or someone asks, but never more often than `MinRefreshInterval`, and
/// within the dashboard's own request budget. Status updates come from Portal's database, so a new one shows at
/// once without reading PagerDuty. Errors never reach the page as exceptions: they come back in plain words.
public sealed class BusinessImpacts
{
    private readonly PagerDutyConnection _connection;
    private readonly IncidentStatusUpdates _statusUpdates;
    private readonly TimeProvider _clock;
    private readonly StatusDashboardOptions _options;
    private readonly RequestBudget _budget;
    private readonly SemaphoreSlim _reading = new(1, 1);
    // the business services each open incident impacts: it changes only with the incident, so it is read once per
    // incident and forgotten when an event about that incident arrives
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _incidentImpacts = new(StringComparer.Ordinal);
    private volatile Snapshot? _snapshot;
    private (IReadOnlyList<PdReference> Services, DateTimeOffset Until)? _allServices;
    private volatile bool _stale;
    private int _deferred;

    private readonly Notifications.ChangeNotifier _notifier;

    public BusinessImpacts(PagerDutyConnection connection, IncidentStatusUpdates statusUpdates, Notifications.ChangeNotifier notifier, RequestBudget budget,
        TimeProvider clock, IOptions<StatusDashboardOptions> options)
    {
        _connection = connection;
        _statusUpdates = statusUpdates;
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

    private sealed record Snapshot(PagerDutyMode Mode, IReadOnlyList<PdBusinessServiceImpact> Services, IReadOnlyList<PdIncident> Incidents,
        IReadOnlyDictionary<string, IReadOnlyList<string>> IncidentImpacts, DateTimeOffset ReadAt, string? Error, string? Notice);

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
        var incidentIds = snapshot.IncidentImpacts.Keys.ToList();
        var latest = await _statusUpdates.LatestAsync(incidentIds, cancellationToken);
        return Build(snapshot, latest);
    }

    /// Forgets what was read, so that the next `GetAsync` reads PagerDuty (within `MinRefreshInterval`).
    public void Invalidate(string? incidentId)
    {
        if (incidentId is null) _incidentImpacts.Clear();
        else _incidentImpacts.TryRemove(incidentId, out _);
        _stale = true;
        Changed();
    }

    private void OnIncidentEvent(PagerDutyWebhookEvent e)
    {
        // a status update changes nothing PagerDuty would tell: it is in the database already
        if (e.StatusUpdate is not null) Changed();
        else Invalidate(e.Incident.IncidentId);
    }

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
            _stale = false;
            var read = await ReadAsync(mode, current?.Mode == mode ? current : null, cancellationToken);
            _snapshot = read;
            return read;
        }
        finally
        {
            _reading.Release();
        }
    }

    private bool NeedsRead(Snapshot? snapshot, PagerDutyMode mode, bool refresh)
    {
        if (snapshot is null || snapshot.Mode != mode) return true;
        var now = _clock.GetUtcNow();
        if (now >= snapshot.ReadAt + _options.CacheLifetime) return true;
        return (refresh || _stale) && now >= snapshot.ReadAt + _options.MinRefreshInterval;
    }

    // An event arrived too soon after the last read: read once the interval is over, and tell the pages.
    private Snapshot DeferIfStale(Snapshot snapshot)
    {
        if (!_stale || Interlocked.CompareExchange(ref _deferred, 1, 0) != 0) return snapshot;
        var wait = snapshot.ReadAt + _options.MinRefreshInterval - _clock.GetUtcNow();
        _ = Task.Run(async () =>
        {
            try
            {
                if (wait > TimeSpan.Zero) await Task.Delay(wait, _clock);
            }
            finally
            {
                Interlocked.Exchange(ref _deferred, 0);
            }
            Changed();
        });
        return snapshot;
    }

    private async Task<Snapshot> ReadAsync(PagerDutyMode mode, Snapshot? previous, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        if (previous is null) _incidentImpacts.Clear();
        // the sandbox is inside Portal: no PagerDuty request is spent on it
        var live = mode == PagerDutyMode.Live;
        // what a read asks for is paid from the dashboard's share (its takes below first, then request by request)
        using var budgetScope = RequestBudget.Scope(RequestCallers.Dashboard);
        try
        {
            var client = await _connection.ClientAsync(cancellationToken);
            var needed = 2 + (previous?.Incidents.Count ?? 0) / 100;
            if (live && await TakeAsync(needed, cancellationToken) is { Granted: 0 } refused)
            {
                var notice = refused.Paused
                    ? $"PagerDuty asked Portal to slow down (429); it reads PagerDuty again after {refused.RetryAtUtc:HH:mm:ss} UTC."
                    : "The dashboard's PagerDuty request budget is spent for now; it reads PagerDuty again within a minute.";
                return previous is null
                    ? new Snapshot(mode, [], [], new Dictionary<string, IReadOnlyList<string>>(), now, null, notice)
                    : previous with { Notice = notice };
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
                if (!_incidentImpacts.TryGetValue(incident.Id, out var ids))
                {
                    if (live && await TakeAsync(1, cancellationToken) is { Granted: 0 })
                    {
                        skipped++;
                        continue;
                    }
                    ids = await ImpactsOfAsync(client, incident.Id, cancellationToken);
                    _incidentImpacts[incident.Id] = ids;
                }
                byIncident[incident.Id] = ids;
            }
            foreach (var gone in _incidentImpacts.Keys.Where(id => !byIncident.ContainsKey(id)).ToList()) _incidentImpacts.TryRemove(gone, out _);

            var incomplete = skipped == 0 ? null
                : $"{skipped} open incident(s) not shown under their business services yet: the dashboard's PagerDuty request budget is spent; the next read adds them.";
            return new Snapshot(mode, services, incidents, byIncident, now, null, incomplete);
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
            return previous is null
                ? new Snapshot(mode, [], [], new Dictionary<string, IReadOnlyList<string>>(), now, error, null)
                : previous with { ReadAt = now, Error = error, Notice = $"Showing what was read at {previous.ReadAt:HH:mm:ss} UTC." };
        }
    }

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

    private static StatusDashboardView Build(Snapshot snapshot, IReadOnlyDictionary<string, StatusUpdateDto> latest)
    {
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
        return new StatusDashboardView(snapshot.Mode, services, snapshot.ReadAt, snapshot.Error, snapshot.Notice);
    }
}

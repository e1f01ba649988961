using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Dispatch;
using Portal.Core.Persistence;
using Portal.Core.StatusDashboard;

namespace Portal.Core.PagerDuty;

/// Who spends PagerDuty requests: each has its own share of the budget.
public static class RequestCallers
{
    /// The dispatcher (`Dispatch:RequestsPerMinute`, 720).
    public const string Dispatcher = "dispatch";
    /// The Status Dashboard's reads (`StatusDashboard:RequestsPerMinute`, 120).
    public const string Dashboard = "dashboard";
    /// Everything a person waits for: pick-lists, the console's incident timeline and link look-ups, webhook
    /// subscriptions, the connection check. Its share is what PagerDuty's 960 leaves after the other two (120 by
    /// default), and never less than `RequestBudget.MinInteractiveShare`.
    public const string Interactive = "interactive";
}

/// The caller whose share pays for the PagerDuty requests made in one async flow (an action, a dashboard read), and
/// the requests already granted to it in a batch. Outside any scope, requests are `RequestCallers.Interactive`'s.
public sealed class BudgetScope(string caller)
{
    private int _prepaid;
    private int _sent;
    private long _prepaidTakenTicks;

    public string Caller { get; } = caller;

    /// Requests sent to PagerDuty in this scope so far.
    public int Sent => Volatile.Read(ref _sent);

    /// Requests granted ahead and not used (none sent on them): a batch gives them back (`RequestBudget.GiveBackAsync`).
    public int UnusedPrepaid => Volatile.Read(ref _prepaid);

    /// Adds requests granted ahead (a batch's take, at `takenUtc`) for this scope's requests to use first, while they are
    /// fresh (`RequestBudget.PrepaidFreshFor`).
    public void Prepay(int requests, DateTime takenUtc)
    {
        if (requests <= 0) return;
        Interlocked.Exchange(ref _prepaidTakenTicks, takenUtc.Ticks);
        Interlocked.Add(ref _prepaid, requests);
    }

    // A grant counts in the window from its take; a request sent on it long after would reach PagerDuty in a later
    // window than the one it was counted in: a stale grant is not used (the request takes its own).
    internal bool TryUsePrepaid(DateTime now)
    {
        if (now.Ticks - Interlocked.Read(ref _prepaidTakenTicks) > RequestBudget.PrepaidFreshFor.Ticks) return false;
        for (var left = Volatile.Read(ref _prepaid); left > 0; left = Volatile.Read(ref _prepaid))
            if (Interlocked.CompareExchange(ref _prepaid, left - 1, left) == left) return true;
        return false;
    }

    internal void CountSent() => Interlocked.Increment(ref _sent);
}

/// Requests granted in the window ending now (or 0 and when to ask again). `Paused`: PagerDuty answered 429 and asked
/// every caller to wait until `RetryAtUtc`. `TakenUtc` and `GrantId` (when something was granted): when, and which
/// grant row, for giving back what was not sent.
public sealed record BudgetGrant(int Granted, DateTime? RetryAtUtc, bool Paused)
{
    public DateTime TakenUtc { get; init; }
    public long? GrantId { get; init; }
}

/// A request granted to a caller at a time: the budget's state, a row per take, kept while it is in the window.
public sealed class RequestGrantEntity
{
    public long Id { get; set; }
    public required string Caller { get; set; }
    public DateTime GrantedUtc { get; set; }
    public int Count { get; set; }
}

/// The budget's one row of shared state: until when PagerDuty's last 429 asked every caller to wait, and when the
/// budget was last taken from (every take writes it first, which makes takes one at a time across instances).
public sealed class RequestBudgetStateEntity
{
    public const int SingleId = 1;
    public int Id { get; set; }
    public DateTime? PausedUntilUtc { get; set; }
    public DateTime? LastTakeUtc { get; set; }
}

/// The PagerDuty request budget of every caller in every instance sharing the database: a sliding window, so that in
/// ANY 60-second window the requests granted stay within each caller's share (the dispatcher's and the dashboard's)
/// and all of them together within PagerDuty's 960 per key. PagerDuty counts a request when it arrives, which is a
/// moment after its grant: a grant counts for `Hold` (the window and `SendAllowance`), and a request granted ahead is
/// sent on it only within `PrepaidFreshFor`, so that the requests arriving in any 60 seconds stay within the shares too. The shares keep a dashboard from ever taking the
/// dispatcher's requests; the combined cap holds even when the shares are configured to add up to more.
///
/// The grants are rows, taken in a short transaction whose first statement writes the state row: it holds SQLite's
/// write lock (or, on a server database, that row's lock) before it reads what the window holds, so two processes can
/// never both see the same room and both take it. Grants are pruned as they leave the window. A 429 from PagerDuty is
/// recorded in the same state, and every caller waits until its reset.
public sealed class RequestBudget(
    IDbContextFactory<PortalDbContext> dbFactory,
    TimeProvider clock,
    IOptions<DispatchOptions> dispatch,
    IOptions<StatusDashboardOptions> dashboard)
{
    /// PagerDuty's limit per API key (and per user), per minute.
    public const int PagerDutyLimit = 960;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    /// From a grant to its request's arrival at PagerDuty, at most: the time a grant granted ahead may wait to be used
    /// (`PrepaidFreshFor`) and a second for the request to get there.
    public static readonly TimeSpan SendAllowance = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan PrepaidFreshFor = TimeSpan.FromSeconds(1);
    /// How long a grant counts against the shares.
    public static readonly TimeSpan Hold = Window + SendAllowance;
    /// How long every caller waits after a 429 that says nothing of its reset (PagerDuty warns that this happens).
    public static readonly TimeSpan UnknownReset = TimeSpan.FromSeconds(10);
    public const int MinInteractiveShare = 60;

    private static readonly AsyncLocal<BudgetScope?> CurrentScope = new();
    // the last pause this process knows of (its own 429s and what its takes read), so that requests granted ahead
    // in a batch are not sent into a pause another lane has just met
    private long _pausedUntilTicks;

    /// The scope whose share pays for requests made here, if any.
    public static BudgetScope? Current => CurrentScope.Value;

    /// Makes `caller`'s share pay for the PagerDuty requests of this async flow until disposed, using `prepaid`
    /// requests already granted first.
    public static IDisposable Scope(string caller, int prepaid = 0, DateTime prepaidTakenUtc = default)
    {
        var scope = new BudgetScope(caller);
        scope.Prepay(prepaid, prepaidTakenUtc);
        var outer = CurrentScope.Value;
        CurrentScope.Value = scope;
        return new ScopeEnd(outer);
    }

    private sealed class ScopeEnd(BudgetScope? outer) : IDisposable
    {
        public void Dispose() => CurrentScope.Value = outer;
    }

    /// The most `caller` may be granted in any window.
    public int ShareOf(string caller) => ShareOf(caller, dispatch.Value, dashboard.Value);

    private static int ShareOf(string caller, DispatchOptions dispatch, StatusDashboardOptions dashboard) => Math.Min(PagerDutyLimit, caller switch
    {
        RequestCallers.Dispatcher => dispatch.RequestsPerMinute,
        RequestCallers.Dashboard => dashboard.RequestsPerMinute,
        _ => Math.Max(MinInteractiveShare, PagerDutyLimit - dispatch.RequestsPerMinute - dashboard.RequestsPerMinute),
    });

    /// What each caller could be granted now, from one read of the window and the pause (none while a 429's pause
    /// holds): for the `portal.pagerduty.budget.remaining` gauge, so synchronous, and it writes nothing.
    public static IReadOnlyList<(string Caller, int Left)> Remaining(PortalDbContext db, DateTime now, DispatchOptions dispatch, StatusDashboardOptions dashboard)
    {
        string[] callers = [RequestCallers.Dispatcher, RequestCallers.Dashboard, RequestCallers.Interactive];
        var pausedUntil = db.RequestBudgetStates.Where(s => s.Id == RequestBudgetStateEntity.SingleId).Select(s => s.PausedUntilUtc).FirstOrDefault();
        if (pausedUntil > now) return [.. callers.Select(c => (c, 0))];
        // grants that left the window stay until the next take prunes them: only those still in it count
        var windowStart = now - Hold;
        var used = db.RequestGrants.Where(g => g.GrantedUtc > windowStart).GroupBy(g => g.Caller)
            .Select(g => new { Caller = g.Key, Count = g.Sum(x => x.Count) }).ToDictionary(g => g.Caller, g => g.Count);
        var total = used.Values.Sum();
        return [.. callers.Select(c => (c, Math.Max(0, Math.Min(PagerDutyLimit - total, ShareOf(c, dispatch, dashboard) - used.GetValueOrDefault(c)))))];
    }

    /// Pays for one request about to be sent to PagerDuty (`PagerDutyBudgetHandler`, for every request of every
    /// caller): from the scope's requests granted ahead, else one taken from its caller's share. Refused with a
    /// `PagerDutyException` (429, `BudgetSpent`) that says when to try again: the request is then never sent.
    public async Task PayForRequestAsync(CancellationToken cancellationToken = default)
    {
        var scope = CurrentScope.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var pausedUntil = new DateTime(Interlocked.Read(ref _pausedUntilTicks), DateTimeKind.Utc);
        if (pausedUntil > now) throw Spent(scope?.Caller ?? RequestCallers.Interactive, pausedUntil, paused: true, now);
        if (scope?.TryUsePrepaid(now) != true)
        {
            var caller = scope?.Caller ?? RequestCallers.Interactive;
            var grant = await TakeAsync(caller, 1, cancellationToken);
            if (grant.Granted == 0) throw Spent(caller, grant.RetryAtUtc ?? now + Hold, grant.Paused, now);
        }
        scope?.CountSent();
    }

    private PagerDutyException Spent(string caller, DateTime retryAt, bool paused, DateTime now)
    {
        var wait = retryAt - now;
        var message = paused
            ? $"PagerDuty asked Portal to wait (429, rate limit): requests resume in {Math.Ceiling(wait.TotalSeconds):0} s."
            : $"Portal's PagerDuty request budget for {caller} ({ShareOf(caller)} a minute, {PagerDutyLimit} for all callers together) is spent: "
              + $"room again in {Math.Ceiling(wait.TotalSeconds):0} s.";
        return new PagerDutyException(429, message, retryAfter: wait) { BudgetSpent = true };
    }

    /// Takes `count` requests at once, or none.
    public Task<BudgetGrant> TakeAsync(string caller, int count, CancellationToken cancellationToken = default) =>
        TakeAsync(caller, count, count, cancellationToken);

    /// Takes as many of `max` requests as the window has room for (a batch of actions); `RetryAtUtc` says when the
    /// rest could be had.
    public Task<BudgetGrant> TakeUpToAsync(string caller, int max, CancellationToken cancellationToken = default) =>
        TakeAsync(caller, 1, max, cancellationToken);

    private async Task<BudgetGrant> TakeAsync(string caller, int min, int max, CancellationToken cancellationToken)
    {
        if (max <= 0) return new BudgetGrant(0, null, false);
        var now = clock.GetUtcNow().UtcDateTime;
        var share = ShareOf(caller);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // first a write: from here the transaction holds the lock, so what it reads below stays true until it commits
        await db.RequestBudgetStates.Where(s => s.Id == RequestBudgetStateEntity.SingleId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastTakeUtc, now), cancellationToken);
        var windowStart = now - Hold;
        await db.RequestGrants.Where(g => g.GrantedUtc <= windowStart).ExecuteDeleteAsync(cancellationToken);

        var pausedUntil = await db.RequestBudgetStates.Where(s => s.Id == RequestBudgetStateEntity.SingleId).Select(s => s.PausedUntilUtc)
            .FirstOrDefaultAsync(cancellationToken);
        if (pausedUntil > now)
        {
            KnowPause(pausedUntil.Value);
            await transaction.CommitAsync(cancellationToken);
            return new BudgetGrant(0, pausedUntil, true);
        }

        var used = await db.RequestGrants.GroupBy(g => g.Caller).Select(g => new { Caller = g.Key, Count = g.Sum(x => x.Count) })
            .ToListAsync(cancellationToken);
        var total = used.Sum(u => u.Count);
        var mine = used.Where(u => u.Caller == caller).Sum(u => u.Count);
        var room = Math.Min(PagerDutyLimit - total, share - mine);
        var granted = room >= min ? Math.Min(room, max) : 0;
        long? grantId = null;
        if (granted > 0)
        {
            var row = new RequestGrantEntity { Caller = caller, GrantedUtc = now, Count = granted };
            db.RequestGrants.Add(row);
            await db.SaveChangesAsync(cancellationToken);
            grantId = row.Id;
        }
        var retryAt = granted == max ? (DateTime?)null
            : await RoomAtAsync(db, caller, granted == 0 ? min : 1, PagerDutyLimit - total - granted, share - mine - granted, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var grant = new BudgetGrant(granted, retryAt, false);
        return grantId is null ? grant : grant with { TakenUtc = now, GrantId = grantId };
    }

    /// Gives back `requests` of `grant` that were never sent (a batch's grants left when its actions were done, or gone
    /// stale), for other takes to have.
    public async Task GiveBackAsync(BudgetGrant grant, int requests, CancellationToken cancellationToken = default)
    {
        if (grant.GrantId is not { } id || requests <= 0) return;
        requests = Math.Min(requests, grant.Granted);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.RequestGrants.Where(g => g.Id == id && g.Count >= requests)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.Count, g => g.Count - requests), cancellationToken);
    }

    // When enough of the window's grants have aged out for `wanted` more: the oldest go first.
    private static async Task<DateTime> RoomAtAsync(PortalDbContext db, string caller, int wanted, int totalRoom, int callerRoom, DateTime now,
        CancellationToken cancellationToken)
    {
        var grants = await db.RequestGrants.AsNoTracking().OrderBy(g => g.GrantedUtc).ThenBy(g => g.Id).Select(g => new { g.Caller, g.GrantedUtc, g.Count })
            .ToListAsync(cancellationToken);
        foreach (var grant in grants)
        {
            totalRoom += grant.Count;
            if (grant.Caller == caller) callerRoom += grant.Count;
            if (Math.Min(totalRoom, callerRoom) >= wanted) return grant.GrantedUtc + Hold;
        }
        // more than the share could ever hold at once: ask again when the window is empty
        return (grants.Count == 0 ? now : grants[^1].GrantedUtc) + Hold;
    }

    /// PagerDuty answered 429: every caller of every instance waits until its `ratelimit-reset` (or `UnknownReset`).
    public async Task RecordRateLimitAsync(TimeSpan? reset, CancellationToken cancellationToken = default)
    {
        var until = clock.GetUtcNow().UtcDateTime + (reset ?? UnknownReset);
        KnowPause(until);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // a later reset wins; an earlier one never shortens the wait
        await db.RequestBudgetStates.Where(s => s.Id == RequestBudgetStateEntity.SingleId && (s.PausedUntilUtc == null || s.PausedUntilUtc < until))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.PausedUntilUtc, until), cancellationToken);
    }

    private void KnowPause(DateTime until)
    {
        for (var known = Interlocked.Read(ref _pausedUntilTicks); until.Ticks > known; known = Interlocked.Read(ref _pausedUntilTicks))
            if (Interlocked.CompareExchange(ref _pausedUntilTicks, until.Ticks, known) == known) return;
    }

    /// Until when a 429 asked every caller to wait, if that is still ahead.
    public async Task<DateTime?> PausedUntilAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var until = await db.RequestBudgetStates.Where(s => s.Id == RequestBudgetStateEntity.SingleId).Select(s => s.PausedUntilUtc)
            .FirstOrDefaultAsync(cancellationToken);
        return until > clock.GetUtcNow().UtcDateTime ? until : null;
    }
}

using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Security;

namespace Portal.Core.Dispatch;

public sealed record PlannedActionView(Guid Id, string ActionType, string? IncidentId, string? Rule, string RequestedBy, string State, int Attempts,
    string? LastError, DateTime CreatedUtc, DateTime NextAttemptUtc, string? ObjectName = null, string? RecordId = null, DateTime? CompletedUtc = null);

/// The outbox as pages see it: what is still on its way to PagerDuty for a record, what failed for good, and the
/// dead-letter actions (retry, discard), each logged and records.write, checked for the caller now (AccessCheck); the
/// unchecked overloads are for tests.
/// Live pages and the dispatcher learn of a retry or a discard from the rows (`DeadLettersChanged`, `PlannedActionsStored`).
public sealed class PlannedActionQueries(IDbContextFactory<PortalDbContext> dbFactory, Logging.IntegrationLog log, TimeProvider clock, AccessCheck access)
{
    public async Task<IReadOnlyList<PlannedActionView>> DeadLettersAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.PlannedActions.AsNoTracking().Where(a => a.State == PlannedActionStates.DeadLettered)
            .OrderByDescending(a => a.CompletedUtc).Take(500).ToListAsync(cancellationToken);
        return rows.Select(View).ToList();
    }

    /// Puts a dead-lettered action back in the queue with fresh attempts.
    public async Task<bool> RetryAsync(Guid id, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await RetryAsync(id, await WriterAsync(by, cancellationToken), cancellationToken);

    internal async Task<bool> RetryAsync(Guid id, string by, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var action = await db.PlannedActions.FirstOrDefaultAsync(a => a.Id == id && a.State == PlannedActionStates.DeadLettered, cancellationToken);
        if (action is null) return false;
        (action.State, action.Attempts, action.NextAttemptUtc, action.CompletedUtc) = (PlannedActionStates.Pending, 0, now, null);
        await db.SaveChangesAsync(cancellationToken);
        log.Write(Logging.LogLevel.Info, Logging.LogCategories.Action, $"{by} retried the dead-lettered {action.ActionType}", action.CorrelationId, action.RecordId,
            action.IncidentId, new { lastError = action.LastError });
        return true;
    }

    public async Task<bool> DiscardAsync(Guid id, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await DiscardAsync(id, await WriterAsync(by, cancellationToken), cancellationToken);

    private async Task<string> WriterAsync(ClaimsPrincipal by, CancellationToken cancellationToken) =>
        (await access.DemandAsync(by, Permissions.RecordsWrite, cancellationToken)).Name;

    internal async Task<bool> DiscardAsync(Guid id, string by, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var action = await db.PlannedActions.FirstOrDefaultAsync(a => a.Id == id && a.State == PlannedActionStates.DeadLettered, cancellationToken);
        if (action is null) return false;
        action.State = PlannedActionStates.Discarded;
        await db.SaveChangesAsync(cancellationToken);
        log.Write(Logging.LogLevel.Info, Logging.LogCategories.Action, $"{by} discarded the dead-lettered {action.ActionType}", action.CorrelationId, action.RecordId,
            action.IncidentId, new { lastError = action.LastError });
        return true;
    }

    private static PlannedActionView View(PlannedActionEntity a) => new(a.Id, a.ActionType, a.IncidentId, a.Rule, a.RequestedBy, a.State, a.Attempts,
        a.LastError, a.CreatedUtc, a.NextAttemptUtc, a.ObjectName, a.RecordId, a.CompletedUtc);

    public async Task<IReadOnlyList<PlannedActionView>> OpenForRecordAsync(string recordId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.PlannedActions.AsNoTracking()
            .Where(a => a.RecordId == recordId && a.State != PlannedActionStates.Succeeded && a.State != PlannedActionStates.Discarded)
            .OrderByDescending(a => a.CreatedUtc).Take(50).ToListAsync(cancellationToken);
        return rows.Select(View).ToList();
    }
}

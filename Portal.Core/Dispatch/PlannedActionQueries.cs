using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Core.Dispatch;

public sealed record PlannedActionView(Guid Id, string ActionType, string? IncidentId, string? Rule, string RequestedBy, string State, int Attempts,
    string? LastError, DateTime CreatedUtc, DateTime NextAttemptUtc);

/// Reads of the outbox for pages: what is still on its way to PagerDuty for a record, and what failed for good.
public sealed class PlannedActionQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<IReadOnlyList<PlannedActionView>> OpenForRecordAsync(string recordId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.PlannedActions.AsNoTracking()
            .Where(a => a.RecordId == recordId && a.State != PlannedActionStates.Succeeded && a.State != PlannedActionStates.Discarded)
            .OrderByDescending(a => a.CreatedUtc).Take(50).ToListAsync(cancellationToken);
        return rows.Select(a => new PlannedActionView(a.Id, a.ActionType, a.IncidentId, a.Rule, a.RequestedBy, a.State, a.Attempts, a.LastError,
            a.CreatedUtc, a.NextAttemptUtc)).ToList();
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.PagerDuty;
using Portal.Core.Persistence;
using Portal.Core.Webhooks;

namespace Portal.Core.StatusDashboard;

public sealed record StatusUpdateDto(string IncidentId, string Message, DateTime CreatedUtc, string Source, string? Author);

/// The status updates Portal knows of, one row per update: from `incident.status_update_published` webhooks and from
/// Portal's own posts. Portal's post comes back as a webhook; PagerDuty's id of the update (in the POST answer and in
/// the webhook's `data.id`) makes the two one row, whichever arrives first. Without an id in the answer, the webhook
/// adopts Portal's row with the same message on the same incident from the last ten minutes.
public sealed partial class IncidentStatusUpdates(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<IncidentStatusUpdates> logger)
{
    private static readonly TimeSpan s_echoWindow = TimeSpan.FromMinutes(10);

    // live pages learn of a stored update from its row (`StatusUpdateAdded`, after the commit)

    /// Stores an update PagerDuty announced; false when it is already known (redelivery, or Portal's own post).
    public async Task<bool> StoreReceivedAsync(string incidentId, WebhookStatusUpdate update, DateTimeOffset? occurredAt,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await AddReceivedAsync(db, incidentId, update, occurredAt, cancellationToken))
        {
            await SaveAsync(db, update.Id, cancellationToken); // Portal's own post may have learnt PagerDuty's id
            return false;
        }
        return await SaveAsync(db, update.Id, cancellationToken);
    }

    /// The same inside the caller's unit of work (the webhook processor's transaction): adds the row, or marks Portal's
    /// own post with PagerDuty's id, without saving. True when a new update was added.
    public async Task<bool> AddReceivedAsync(PortalDbContext db, string incidentId, WebhookStatusUpdate update, DateTimeOffset? occurredAt,
        CancellationToken cancellationToken = default)
    {
        if (await db.IncidentStatusUpdates.AnyAsync(u => u.PagerDutyId == update.Id, cancellationToken)) return false;
        var at = occurredAt?.UtcDateTime ?? clock.GetUtcNow().UtcDateTime;
        var since = at - s_echoWindow;
        var ours = await db.IncidentStatusUpdates
            .Where(u => u.IncidentId == incidentId && u.PagerDutyId == null && u.Source == StatusUpdateSources.Portal && u.CreatedUtc >= since)
            .OrderBy(u => u.CreatedUtc).ToListAsync(cancellationToken);
        if (ours.FirstOrDefault(u => u.Message == update.Message || (update.Trimmed && u.Message.StartsWith(update.Message, StringComparison.Ordinal))) is { } own)
        {
            own.PagerDutyId = update.Id;
            return false;
        }
        db.IncidentStatusUpdates.Add(new IncidentStatusUpdateEntity
        {
            Id = Guid.CreateVersion7(), IncidentId = incidentId, PagerDutyId = update.Id, CreatedUtc = at,
            Message = update.Trimmed ? update.Message + " …" : update.Message, Source = StatusUpdateSources.Webhook, Author = update.By,
        });
        return true;
    }

    /// Stores an update Portal posted (after PagerDuty accepted it). It never throws: PagerDuty has the update, so a
    /// failure here must not make the dispatcher post it again; the webhook still brings it.
    public async Task StorePostedAsync(string incidentId, PdStatusUpdate posted, string requestedBy, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var now = clock.GetUtcNow().UtcDateTime;
            var since = now - s_echoWindow;
            // the webhook may have been processed first
            var received = posted.Id is not null
                ? await db.IncidentStatusUpdates.FirstOrDefaultAsync(u => u.PagerDutyId == posted.Id, cancellationToken)
                : (await db.IncidentStatusUpdates.Where(u => u.IncidentId == incidentId && u.Source == StatusUpdateSources.Webhook && u.CreatedUtc >= since)
                    .ToListAsync(cancellationToken)).FirstOrDefault(u => u.Message == posted.Message);
            if (received is not null)
            {
                received.Source = StatusUpdateSources.Portal;
                received.Author = requestedBy;
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            db.IncidentStatusUpdates.Add(new IncidentStatusUpdateEntity
            {
                Id = Guid.CreateVersion7(), IncidentId = incidentId, PagerDutyId = posted.Id, Message = posted.Message,
                CreatedUtc = posted.CreatedUtc ?? now, Source = StatusUpdateSources.Portal, Author = requestedBy,
            });
            await SaveAsync(db, posted.Id, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreFailed(e, incidentId);
        }
    }

    /// The latest status update of each incident that has one.
    public async Task<IReadOnlyDictionary<string, StatusUpdateDto>> LatestAsync(IReadOnlyCollection<string> incidentIds,
        CancellationToken cancellationToken = default)
    {
        if (incidentIds.Count == 0) return new Dictionary<string, StatusUpdateDto>();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ids = incidentIds.Distinct().ToList();
        var rows = await db.IncidentStatusUpdates.AsNoTracking().Where(u => ids.Contains(u.IncidentId))
            .Select(u => new StatusUpdateDto(u.IncidentId, u.Message, u.CreatedUtc, u.Source, u.Author)).ToListAsync(cancellationToken);
        return rows.GroupBy(u => u.IncidentId).ToDictionary(g => g.Key, g => g.MaxBy(u => u.CreatedUtc)!);
    }

    public async Task<IReadOnlyList<StatusUpdateDto>> ForIncidentAsync(string incidentId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.IncidentStatusUpdates.AsNoTracking().Where(u => u.IncidentId == incidentId)
            .Select(u => new StatusUpdateDto(u.IncidentId, u.Message, u.CreatedUtc, u.Source, u.Author)).ToListAsync(cancellationToken);
        return rows.OrderByDescending(u => u.CreatedUtc).ToList();
    }

    // A concurrent store of the same PagerDuty update lost the race on the unique index: it is stored, once.
    private static async Task<bool> SaveAsync(PortalDbContext db, string? pagerDutyId, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException) when (pagerDutyId is not null)
        {
            db.ChangeTracker.Clear();
            if (await db.IncidentStatusUpdates.AnyAsync(u => u.PagerDutyId == pagerDutyId, cancellationToken)) return false;
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing Portal's status update on incident {IncidentId} failed; its webhook will bring it")]
    private partial void LogStoreFailed(Exception e, string incidentId);
}

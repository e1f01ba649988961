using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Persistence;
using Portal.Core.Telemetry;

namespace Portal.Core.Webhooks;

/// Processes stored webhook events in batches, one event after another, oldest first (so in order per incident), each
/// exactly once.
public sealed partial class WebhookProcessingService(
    IDbContextFactory<PortalDbContext> dbFactory,
    IncidentEventProcessor processor,
    WebhookSignal signal,
    PortalMetrics metrics,
    TimeProvider clock,
    ILogger<WebhookProcessingService> logger) : BackgroundService
{
    private const string Savepoint = "webhook_event";

    /// The most events one transaction takes.
    public const int BatchSize = 16;

    /// A batch takes no further event once it has run this long. It holds the database's write lock meanwhile, and
    /// the intake's commits queue behind it: measured under load, batches of 5–10 ms (with or without a pause between
    /// them) made the intake's p99 at 500/s many times worse than one event per transaction, so a batch stays short.
    public static readonly TimeSpan MaxBatchTime = TimeSpan.FromMilliseconds(1);

    /// On PostgreSQL a batch locks only its own incidents' rows and the intake never waits for it, so a batch may run
    /// longer and share its commit among more events.
    public static readonly TimeSpan PostgresMaxBatchTime = TimeSpan.FromMilliseconds(20);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await ProcessBatchAsync(BatchSize, stoppingToken) > 0) { }
                await signal.WaitAsync(TimeSpan.FromSeconds(2), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogLoopFailed(e);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
            }
        }
    }

    /// Processes the oldest pending event; false when there is none.
    public async Task<bool> ProcessNextAsync(CancellationToken cancellationToken) => await ProcessBatchAsync(1, cancellationToken) > 0;

    /// Processes up to `max` of the oldest pending events, oldest first (so in order per incident), in one
    /// transaction: each event's effects and its mark as processed commit together, exactly once, and the batch
    /// shares one commit. Each event runs inside a savepoint: one that fails is rolled back alone and marked failed,
    /// and the others still commit. A batch stops taking events after `MaxBatchTime`, so that it never holds the
    /// database's write lock long enough to delay the intake noticeably (SQLite; PostgreSQL's batches run longer). Returns how many events it took.
    public async Task<int> ProcessBatchAsync(int max, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var postgres = db.Database.IsNpgsql();
        // PostgreSQL: the claim is made inside the transaction (several instances take events at once)
        await using var transaction = postgres ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var pending = postgres
            ? await ClaimHeadsAsync(db, max, cancellationToken)
            : await db.WebhookEvents.AsNoTracking().Where(e => e.State == WebhookEventStates.Pending).OrderBy(e => e.Id).Take(max)
                .ToListAsync(cancellationToken);
        if (pending.Count == 0) return 0;
        return await ProcessAsync(db, transaction ?? await db.Database.BeginTransactionAsync(cancellationToken), pending,
            postgres ? PostgresMaxBatchTime : MaxBatchTime, cancellationToken);
    }

    /// Several processors on one PostgreSQL database: each locks (skipping what another has locked) only the oldest
    /// pending event of each incident, and takes with it that incident's later pending events (the heads are pending
    /// themselves, so both reads use the partial indexes of pending events, `IX_WebhookEvents_Pending*`). The lock on an
    /// incident's head keeps every other processor off the whole incident until this transaction ends, so two events
    /// of one incident are never processed at the same time nor out of their order, and each by one processor.
    private static Task<List<WebhookEventEntity>> ClaimHeadsAsync(PortalDbContext db, int max, CancellationToken cancellationToken) =>
        db.WebhookEvents.FromSqlRaw("""
            WITH heads AS (
                SELECT e."Id", e."IncidentId" FROM "WebhookEvents" e
                WHERE e."State" = 'pending' AND NOT EXISTS (SELECT 1 FROM "WebhookEvents" o
                    WHERE o."IncidentId" = e."IncidentId" AND o."State" = 'pending' AND o."Id" < e."Id")
                ORDER BY e."Id" LIMIT {0}
                FOR UPDATE OF e SKIP LOCKED)
            SELECT w.* FROM "WebhookEvents" w
            WHERE w."State" = 'pending' AND (w."Id" IN (SELECT "Id" FROM heads) OR w."IncidentId" IN (SELECT "IncidentId" FROM heads))
            ORDER BY w."Id" LIMIT {0}
            """, max).AsNoTracking().ToListAsync(cancellationToken);

    private async Task<int> ProcessAsync(PortalDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction owned,
        List<WebhookEventEntity> pending, TimeSpan maxBatchTime, CancellationToken cancellationToken)
    {
        await using var transaction = owned;
        var started = clock.GetTimestamp();
        var taken = 0;
        var (processed, failed, superseded) = (0, 0, 0);
        foreach (var next in pending)
        {
            if (taken > 0 && clock.GetElapsedTime(started) > maxBatchTime) break;
            taken++;
            // the event's span: the rules it sets off are its children, and it carries the log's correlation id
            using var activity = PortalActivities.Start("webhook.process", Logging.Correlation.ForEvent(next.EventId));
            activity?.SetTag("portal.webhook.event_id", next.EventId);
            activity?.SetTag("portal.webhook.event_type", next.EventType);
            activity?.SetTag("pagerduty.incident_id", next.IncidentId);
            await transaction.CreateSavepointAsync(Savepoint, cancellationToken);
            try
            {
                // an older state than one applied already (a delivery that came, or committed, late) is not applied over it
                var newer = await NewerProcessedAsync(db, next, cancellationToken);
                // the mark comes first: when it finds the event no longer pending, someone else has processed it
                if (await MarkAsync(db, next.Id, newer is null ? WebhookEventStates.Processed : WebhookEventStates.Superseded,
                        newer is null ? null : $"Superseded by {newer.EventType} ({newer.EventId})", cancellationToken) == 0)
                {
                    await transaction.ReleaseSavepointAsync(Savepoint, cancellationToken);
                    continue;
                }
                using (var document = JsonDocument.Parse(next.Body))
                {
                    if (PagerDutyWebhookEvent.Parse(document.RootElement) is { } e)
                        await processor.ProcessAsync(db, e, newer is null ? null : new SupersedingEvent(newer.EventId, newer.EventType, newer.OccurredUtc), cancellationToken);
                }
                await db.SaveChangesAsync(cancellationToken);
                await transaction.ReleaseSavepointAsync(Savepoint, cancellationToken);
                if (newer is null) processed++;
                else superseded++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // undo this event's effects (and its mark) only; what it left in the change tracker goes too (earlier
                // events are saved already)
                await transaction.RollbackToSavepointAsync(Savepoint, cancellationToken);
                db.ChangeTracker.Clear();
                await MarkAsync(db, next.Id, WebhookEventStates.Failed, StoredText.Cut(e.Message), cancellationToken);
                await transaction.ReleaseSavepointAsync(Savepoint, cancellationToken);
                failed++;
                activity.Failed(e);
                LogFailed(e, next.EventType, next.EventId);
            }
        }
        // each processed event's outcome is logged, announced and counted once this commits (rolled-back ones never are)
        await transaction.CommitAsync(cancellationToken);
        if (processed > 0) metrics.WebhookProcessed(WebhookEventStates.Processed, processed);
        if (failed > 0) metrics.WebhookProcessed(WebhookEventStates.Failed, failed);
        if (superseded > 0) metrics.WebhookProcessed(WebhookEventStates.Superseded, superseded);
        return taken;
    }

    // The newest event of the same incident processed already that PagerDuty says happened after this one, when both
    // carry the incident's state (a note or a status update only adds).
    private static async Task<WebhookEventEntity?> NewerProcessedAsync(PortalDbContext db, WebhookEventEntity next, CancellationToken cancellationToken)
    {
        if (next.IncidentId is not { } incidentId || next.OccurredUtc is not { } occurred) return null;
        var withState = Rules.PagerDutyEventTypes.WithIncidentState;
        if (!withState.Contains(next.EventType)) return null;
        return await db.WebhookEvents.AsNoTracking()
            .Where(o => o.IncidentId == incidentId && o.OccurredUtc > occurred && o.State == WebhookEventStates.Processed && withState.Contains(o.EventType))
            .OrderByDescending(o => o.OccurredUtc).FirstOrDefaultAsync(cancellationToken);
    }

    private Task<int> MarkAsync(PortalDbContext db, long id, string state, string? error, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.WebhookEvents.Where(e => e.Id == id && e.State == WebhookEventStates.Pending).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.State, state).SetProperty(e => e.Error, error).SetProperty(e => e.ProcessedUtc, now), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing webhook {EventType} {EventId} failed")]
    private partial void LogFailed(Exception e, string eventType, string eventId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The webhook processor loop failed; it starts again in a second")]
    private partial void LogLoopFailed(Exception e);
}

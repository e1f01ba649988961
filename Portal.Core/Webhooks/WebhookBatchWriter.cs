using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Core.Webhooks;

public enum StoreOutcome { Stored, Duplicate, Failed }

/// Group commit for the intake: deliveries that arrive together are stored in one transaction (up to 256), and each
/// request is answered once its row is durably committed. One commit per request caps intake at the disk's commit
/// rate; sharing commits lets intake stay durable and fast at once.
public sealed class WebhookBatchWriter(IDbContextFactory<PortalDbContext> dbFactory)
{
    private const int MaxBatch = 256;
    private readonly Channel<(WebhookEventEntity Row, TaskCompletionSource<StoreOutcome> Done)> _queue =
        Channel.CreateUnbounded<(WebhookEventEntity, TaskCompletionSource<StoreOutcome>)>(new UnboundedChannelOptions { SingleReader = true });
    private int _started;

    public Task<StoreOutcome> StoreAsync(WebhookEventEntity row, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0) _ = Task.Run(RunAsync, CancellationToken.None);
        var done = new TaskCompletionSource<StoreOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Writer.TryWrite((row, done));
        return done.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var batch = new List<(WebhookEventEntity Row, TaskCompletionSource<StoreOutcome> Done)>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                await CommitAsync(batch);
            }
            catch (Exception)
            {
                foreach (var (_, done) in batch) done.TrySetResult(StoreOutcome.Failed);
            }
        }
    }

    private async Task CommitAsync(List<(WebhookEventEntity Row, TaskCompletionSource<StoreOutcome> Done)> batch)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var eventIds = batch.Select(b => b.Row.EventId).Distinct().ToList();
        var webhookIds = batch.Select(b => b.Row.WebhookId).OfType<string>().Distinct().ToList();
        var known = await db.WebhookEvents.Where(e => eventIds.Contains(e.EventId) || (e.WebhookId != null && webhookIds.Contains(e.WebhookId)))
            .Select(e => new { e.EventId, e.WebhookId }).ToListAsync();
        var seenEvents = known.Select(k => k.EventId).ToHashSet(StringComparer.Ordinal);
        var seenDeliveries = known.Select(k => k.WebhookId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var outcomes = new List<(TaskCompletionSource<StoreOutcome> Done, StoreOutcome Outcome)>(batch.Count);
        foreach (var (row, done) in batch)
        {
            if (!seenEvents.Add(row.EventId) || (row.WebhookId is { } delivery && !seenDeliveries.Add(delivery)))
            {
                outcomes.Add((done, StoreOutcome.Duplicate));
                continue;
            }
            db.WebhookEvents.Add(row);
            outcomes.Add((done, StoreOutcome.Stored));
        }
        await db.SaveChangesAsync();
        foreach (var (done, outcome) in outcomes) done.TrySetResult(outcome);
    }
}

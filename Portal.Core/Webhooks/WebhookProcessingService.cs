using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Persistence;

namespace Portal.Core.Webhooks;

/// Processes stored webhook events one at a time, oldest first (so in order per incident), each exactly once.
public sealed partial class WebhookProcessingService(
    IDbContextFactory<PortalDbContext> dbFactory,
    IncidentEventProcessor processor,
    WebhookSignal signal,
    TimeProvider clock,
    ILogger<WebhookProcessingService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await ProcessNextAsync(stoppingToken)) { }
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
    public async Task<bool> ProcessNextAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var next = await db.WebhookEvents.Where(e => e.State == WebhookEventStates.Pending).OrderBy(e => e.Id).FirstOrDefaultAsync(cancellationToken);
        if (next is null) return false;
        try
        {
            using var document = JsonDocument.Parse(next.Body);
            if (PagerDutyWebhookEvent.Parse(document.RootElement) is { } e) await processor.ProcessAsync(e, cancellationToken);
            next.State = WebhookEventStates.Processed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            next.State = WebhookEventStates.Failed;
            next.Error = e.Message.Length > 2000 ? e.Message[..2000] : e.Message;
            LogFailed(e, next.EventType, next.EventId);
        }
        next.ProcessedUtc = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing webhook {EventType} {EventId} failed")]
    private partial void LogFailed(Exception e, string eventType, string eventId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The webhook processor loop failed; it starts again in a second")]
    private partial void LogLoopFailed(Exception e);
}

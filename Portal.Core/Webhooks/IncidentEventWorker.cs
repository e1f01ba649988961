using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Webhooks;

/// Processes the incident events the sandbox raises, one at a time, in the order raised.
public sealed partial class IncidentEventWorker(IncidentEventQueue queue, IncidentEventProcessor processor, ILogger<IncidentEventWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in queue.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await processor.ProcessAsync(e, stoppingToken);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    LogFailed(error, e.EventType, e.Incident.IncidentId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing {EventType} for incident {IncidentId} failed")]
    private partial void LogFailed(Exception error, string eventType, string? incidentId);
}

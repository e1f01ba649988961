using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Core.Dispatch;

/// Runs the dispatcher whenever planned actions are committed, when retries fall due, and at least every poll
/// interval.
public sealed partial class DispatcherService(ActionDispatcher dispatcher, DispatchSignal signal, TimeProvider clock, IOptions<DispatchOptions> options,
    ILogger<DispatcherService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recovered = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!recovered)
                {
                    await dispatcher.RecoverAsync(stoppingToken);
                    recovered = true;
                }
                while (await dispatcher.RunDueAsync(stoppingToken) > 0) { }
                var next = await dispatcher.NextDueAsync(stoppingToken);
                var wait = options.Value.PollInterval;
                if (next is { } due && due - clock.GetUtcNow().UtcDateTime < wait) wait = due - clock.GetUtcNow().UtcDateTime;
                if (wait > TimeSpan.Zero) await signal.WaitAsync(wait, stoppingToken);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "The dispatcher loop failed; it starts again in a second")]
    private partial void LogLoopFailed(Exception e);
}

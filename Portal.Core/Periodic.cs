using Microsoft.Extensions.Logging;

namespace Portal.Core;

/// A background chore that runs now and then at a fixed interval (the retention purges).
public static partial class Periodic
{
    /// Runs `work` at once and then every `interval` until `stoppingToken` ends; a failure (the database busy or gone
    /// for a moment) is logged as an error naming the chore, waits `retry` and tries again, and never ends the loop.
    public static async Task RunAsync(string chore, Func<CancellationToken, Task> work, TimeSpan interval, TimeSpan retry, TimeProvider clock,
        ILogger logger, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await work(stoppingToken);
                await Task.Delay(interval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e, chore, retry);
                try
                {
                    await Task.Delay(retry, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Chore} failed; it is tried again in {Retry}")]
    private static partial void LogFailed(ILogger logger, Exception error, string chore, TimeSpan retry);
}

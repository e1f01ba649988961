namespace Portal.Core;

/// A background chore that runs now and then at a fixed interval (the retention purges).
public static class Periodic
{
    /// Runs `work` at once and then every `interval` until `stoppingToken` ends; a failure (the database busy or gone
    /// for a moment) waits `retry` and tries again, and never ends the loop.
    public static async Task RunAsync(Func<CancellationToken, Task> work, TimeSpan interval, TimeSpan retry, TimeProvider clock,
        CancellationToken stoppingToken)
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
            catch (Exception)
            {
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
}

using System.Collections.Concurrent;

namespace Portal.Core.Webhooks;

/// Refused webhook deliveries reach the integration log (kept for weeks) as one entry per reason per minute: the first
/// refusal of a reason is written at once, the others of that minute are counted and written as one entry with their
/// count once the minute is over. An anonymous client that sends thousands of bad deliveries then writes a few rows,
/// not thousands; the host log still has each one. Each entry is written under `security` and under `webhook`, so that
/// whoever follows the webhooks (as the original's walkthrough does) finds the refusals there too.
public sealed class RefusalTally(Logging.IntegrationLog log, TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Tally> _tallies = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private ITimer? _timer;

    private sealed class Tally(DateTimeOffset since)
    {
        public DateTimeOffset Since = since;
        public int More;
    }

    public void Count(string reason)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_tallies.TryGetValue(reason, out var tally) && now - tally.Since < Window)
            {
                tally.More++;
                return;
            }
            if (tally is not null) WriteMore(reason, tally);
            _tallies[reason] = new Tally(now);
            _timer ??= clock.CreateTimer(_ => Flush(), null, Window, Window);
        }
        Write($"Refused a webhook delivery: {reason}", new { reason });
    }

    /// Writes the counts of the windows that are over (the timer calls it every minute).
    public void Flush()
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            foreach (var (reason, tally) in _tallies)
            {
                if (now - tally.Since < Window) continue;
                WriteMore(reason, tally);
                _tallies.TryRemove(reason, out _);
            }
        }
    }

    private void WriteMore(string reason, Tally tally)
    {
        if (tally.More == 0) return;
        Write($"Refused {tally.More} more webhook deliveries in the minute from {tally.Since:HH:mm:ss} UTC: {reason}",
            new { reason, refused = tally.More, sinceUtc = tally.Since.UtcDateTime });
    }

    private void Write(string message, object details)
    {
        log.Write(Logging.LogLevel.Warning, Logging.LogCategories.Security, message, details: details);
        log.Write(Logging.LogLevel.Warning, Logging.LogCategories.Webhook, message, details: details);
    }

    public void Dispose() => _timer?.Dispose();
}

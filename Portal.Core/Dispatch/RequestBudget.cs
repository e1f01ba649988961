namespace Portal.Core.Dispatch;

/// A token bucket that keeps the whole portal under its PagerDuty request budget (default 720 a minute, below
/// PagerDuty's 960 per key).
public sealed class RequestBudget(TimeProvider clock, int perMinute)
{
    private readonly Lock _lock = new();
    private readonly double _capacity = Math.Max(1, perMinute);
    private double _tokens = Math.Max(1, perMinute);
    private DateTimeOffset _last = clock.GetUtcNow();

    /// Takes one request's token, or says how long to wait for one.
    public TimeSpan TryTake()
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            _tokens = Math.Min(_capacity, _tokens + (now - _last).TotalMinutes * _capacity);
            _last = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return TimeSpan.Zero;
            }
            return TimeSpan.FromMinutes((1 - _tokens) / _capacity);
        }
    }
}

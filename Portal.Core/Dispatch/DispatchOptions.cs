namespace Portal.Core.Dispatch;

/// The `Dispatch` configuration section.
public sealed class DispatchOptions
{
    public const string Section = "Dispatch";

    /// Attempts for transient failures (429, 5xx, timeouts) before an action is dead-lettered.
    public int MaxAttempts { get; set; } = 8;
    public int RequestsPerMinute { get; set; } = 720;
    public TimeSpan BaseBackoff { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);
    /// How long a claimed action is held before another dispatcher may take it again (a crash mid-call).
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);
    public int BatchSize { get; set; } = 32;
    /// Actions carried out side by side (each incident's actions still in order).
    public int Concurrency { get; set; } = 8;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

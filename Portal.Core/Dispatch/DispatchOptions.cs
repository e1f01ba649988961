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

/// Stops the start on a `Dispatch` section that would stall or flood the dispatcher.
public sealed class DispatchOptionsValidation : Microsoft.Extensions.Options.IValidateOptions<DispatchOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, DispatchOptions options)
    {
        var errors = new SettingErrors(DispatchOptions.Section);
        errors.AtLeast(nameof(options.MaxAttempts), options.MaxAttempts, 1);
        errors.AtLeast(nameof(options.RequestsPerMinute), options.RequestsPerMinute, 1);
        errors.Positive(nameof(options.BaseBackoff), options.BaseBackoff);
        errors.Positive(nameof(options.MaxBackoff), options.MaxBackoff);
        if (options.MaxBackoff < options.BaseBackoff)
            errors.Add($"{DispatchOptions.Section}:MaxBackoff ({options.MaxBackoff}) is shorter than {DispatchOptions.Section}:BaseBackoff ({options.BaseBackoff}).");
        errors.Positive(nameof(options.Lease), options.Lease);
        errors.AtLeast(nameof(options.BatchSize), options.BatchSize, 1);
        errors.AtLeast(nameof(options.Concurrency), options.Concurrency, 1);
        errors.Positive(nameof(options.PollInterval), options.PollInterval);
        return errors.Result();
    }
}

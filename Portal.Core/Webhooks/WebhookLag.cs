using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Persistence;

namespace Portal.Core.Webhooks;

/// The `Webhooks` configuration section.
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// A processing lag (the age of the oldest delivery still waiting) above this is a Warning in the logs, counted in
    /// `portal.webhooks.lag.warnings`, and shown on the Summary tab.
    public TimeSpan LagWarningThreshold { get; set; } = TimeSpan.FromSeconds(30);
    /// How often the lag is looked at.
    public TimeSpan LagCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// Stops the start on a `Webhooks` section that would warn of every lag or never look.
public sealed class WebhookOptionsValidation : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var errors = new SettingErrors(WebhookOptions.Section);
        errors.Positive(nameof(options.LagWarningThreshold), options.LagWarningThreshold);
        errors.Positive(nameof(options.LagCheckInterval), options.LagCheckInterval);
        return errors.Result();
    }
}

/// How far webhook processing is behind the intake: the deliveries still waiting and the age of the oldest of them.
public sealed record WebhookLagReading(int Waiting, DateTime? OldestReceivedUtc, TimeSpan Lag, TimeSpan Threshold)
{
    public bool OverThreshold => Lag > Threshold;
}

/// Reads the processing lag (the Summary tab, `/readyz`), and, as a background service, warns in the logs when it
/// goes over `Webhooks:LagWarningThreshold` and says when processing has caught up again.
public sealed partial class WebhookLag(
    IDbContextFactory<PortalDbContext> dbFactory,
    IOptions<WebhookOptions> options,
    Telemetry.PortalMetrics metrics,
    Logging.IntegrationLog log,
    TimeProvider clock,
    ILogger<WebhookLag> logger) : BackgroundService
{
    private readonly WebhookOptions _options = options.Value;
    // when the lag went over the threshold, while it is over
    private DateTime? _overSince;

    /// The deliveries still waiting to be processed.
    public static IQueryable<WebhookEventEntity> Waiting(PortalDbContext db) =>
        db.WebhookEvents.AsNoTracking().Where(e => e.State == WebhookEventStates.Pending);

    /// When the oldest delivery still waiting arrived (the lag's start), if one waits.
    public static IQueryable<DateTime?> OldestWaitingReceived(PortalDbContext db) =>
        Waiting(db).OrderBy(e => e.Id).Select(e => (DateTime?)e.ReceivedUtc);

    public async Task<WebhookLagReading> ReadAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var oldest = await OldestWaitingReceived(db).FirstOrDefaultAsync(cancellationToken);
        var count = oldest is null ? 0 : await Waiting(db).CountAsync(cancellationToken);
        var lag = oldest is { } received ? clock.GetUtcNow().UtcDateTime - DateTime.SpecifyKind(received, DateTimeKind.Utc) : TimeSpan.Zero;
        return new WebhookLagReading(count, oldest, lag < TimeSpan.Zero ? TimeSpan.Zero : lag, _options.LagWarningThreshold);
    }

    /// One look: a Warning when the lag has just gone over the threshold, an Information when it is back under.
    public async Task<WebhookLagReading> CheckAsync(CancellationToken cancellationToken = default)
    {
        var reading = await ReadAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        if (reading.OverThreshold && _overSince is null)
        {
            _overSince = now;
            metrics.WebhookLagWarning();
            LogBehind(reading.Lag.TotalSeconds, reading.Waiting, reading.Threshold.TotalSeconds);
            log.Write(Logging.LogLevel.Warning, Logging.LogCategories.Webhook,
                $"Webhook processing is {Seconds(reading.Lag)} behind ({reading.Waiting:N0} {(reading.Waiting == 1 ? "delivery" : "deliveries")} waiting), "
                + $"over the warning threshold of {Seconds(reading.Threshold)} (Webhooks:LagWarningThreshold): what the console shows is that old",
                details: new { lagSeconds = Math.Round(reading.Lag.TotalSeconds, 1), waiting = reading.Waiting, thresholdSeconds = reading.Threshold.TotalSeconds });
        }
        else if (!reading.OverThreshold && _overSince is { } since)
        {
            _overSince = null;
            log.Write(Logging.LogLevel.Info, Logging.LogCategories.Webhook,
                $"Webhook processing has caught up: the lag is {Seconds(reading.Lag)} again, after {Seconds(now - since)} over the warning threshold",
                details: new { lagSeconds = Math.Round(reading.Lag.TotalSeconds, 1), waiting = reading.Waiting });
        }
        return reading;
    }

    /// A lag or a threshold in words: "4.2 s", "125 s".
    public static string Seconds(TimeSpan span) => span.TotalSeconds < 10 ? $"{span.TotalSeconds:0.#} s" : $"{span.TotalSeconds:N0} s";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync("The webhook processing lag check", CheckAsync, _options.LagCheckInterval, _options.LagCheckInterval, clock, logger, stoppingToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook processing is {LagSeconds:0.#} s behind ({Waiting} waiting), over the threshold of {ThresholdSeconds} s")]
    private partial void LogBehind(double lagSeconds, int waiting, double thresholdSeconds);
}

using System.Data.Common;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.PagerDuty;
using Portal.Core.Persistence;

namespace Portal.Core.Webhooks;

public enum IntakeOutcome { Accepted, Duplicate, Ignored, Malformed, Forbidden, TooLarge, Unavailable }

public sealed record IntakeResult(IntakeOutcome Outcome, string Message);

/// Contract section 5: checks a delivery, stores it durably, and says how to answer. Processing happens later, from
/// the stored row, exactly once.
public sealed partial class WebhookIntake(
    WebhookBatchWriter writer,
    IOptionsMonitor<PagerDutyOptions> options,
    WebhookSignal signal,
    WebhookSubscriptions subscriptions,
    Logging.IntegrationLog log,
    Notifications.ChangeNotifier notifier,
    RefusalTally refusals,
    Telemetry.PortalMetrics metrics,
    TimeProvider clock,
    Notifications.ConfigGenerations generations,
    ILogger<WebhookIntake> logger)
{
    public const int MaxBodyBytes = 256 * 1024;

    /// Event types Portal acts on; everything else (pings, services, early-access types) is answered and dropped.
    public static bool IsUsed(string eventType) => eventType.StartsWith("incident.", StringComparison.Ordinal);

    public async Task<IntakeResult> AcceptAsync(ReadOnlyMemory<byte> body, string? signature, string? webhookId, CancellationToken cancellationToken)
    {
        if (body.Length == 0) return Refuse(IntakeOutcome.Malformed, "The body is empty.");
        if (body.Length > MaxBodyBytes) return RefuseTooLarge();

        // a secret stored by another instance is known here before this delivery is checked
        await generations.EnsureCurrentAsync(cancellationToken);
        switch (WebhookSignature.Verify(body.Span, signature, Secrets()))
        {
            case SignatureCheck.Malformed:
                return Refuse(IntakeOutcome.Malformed, "X-PagerDuty-Signature is missing or malformed.");
            case SignatureCheck.Mismatch:
                return Refuse(IntakeOutcome.Forbidden, "X-PagerDuty-Signature matches no known signing secret.");
        }

        PagerDutyWebhookEvent? parsed;
        try
        {
            using var document = JsonDocument.Parse(body);
            parsed = PagerDutyWebhookEvent.Parse(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // not JSON, or JSON whose strings are not valid UTF-8: either way not a webhook (found by the fuzz test)
            parsed = null;
        }
        if (parsed is null) return Refuse(IntakeOutcome.Malformed, "The body is not a PagerDuty Webhooks v3 event.");
        var correlation = Logging.Correlation.ForEvent(parsed.EventId);
        if (parsed.EventType == "pagey.ping")
        {
            LastPing = clock.GetUtcNow();
            notifier.Publish(new Notifications.WebhookPingReceived());
        }
        if (!IsUsed(parsed.EventType))
        {
            // a ping is what "Send test" waits for, so it is kept at the Logger tab's default level; other unused types are noise
            if (parsed.EventType == "pagey.ping")
                log.Write(Logging.LogLevel.Info, Logging.LogCategories.Webhook, "Received pagey.ping (a test event); nothing to process", correlation,
                    details: new { parsed.EventId, parsed.EventType, webhookId, bytes = body.Length });
            else
                log.Write(Logging.LogLevel.Debug, Logging.LogCategories.Webhook, $"Received {parsed.EventType}; Portal does not use it", correlation);
            metrics.WebhookReceived(IntakeOutcome.Ignored);
            return new IntakeResult(IntakeOutcome.Ignored, $"{parsed.EventType} is not an event Portal uses.");
        }

        var outcome = await writer.StoreAsync(new WebhookEventEntity
        {
            EventId = parsed.EventId,
            WebhookId = string.IsNullOrWhiteSpace(webhookId) ? null : webhookId.Trim()[..Math.Min(webhookId.Trim().Length, 128)],
            EventType = parsed.EventType,
            IncidentId = parsed.Incident.IncidentId,
            Body = Encoding.UTF8.GetString(body.Span),
            ReceivedUtc = clock.GetUtcNow().UtcDateTime,
            OccurredUtc = parsed.OccurredAt?.UtcDateTime,
        }, cancellationToken);
        if (outcome == StoreOutcome.Duplicate)
        {
            log.Write(Logging.LogLevel.Debug, Logging.LogCategories.Webhook, $"Received {parsed.EventType} again; already stored", correlation,
                incidentId: parsed.Incident.IncidentId);
            metrics.WebhookReceived(IntakeOutcome.Duplicate);
            return new IntakeResult(IntakeOutcome.Duplicate, "Already received.");
        }
        if (outcome == StoreOutcome.Failed)
        {
            LogStoreFailed(parsed.EventType);
            log.Write(Logging.LogLevel.Error, Logging.LogCategories.Webhook, $"Could not store {parsed.EventType}; answered 503 so that PagerDuty retries",
                correlation, incidentId: parsed.Incident.IncidentId);
            metrics.WebhookRefused(IntakeOutcome.Unavailable);
            return new IntakeResult(IntakeOutcome.Unavailable, "The portal cannot store the event now; PagerDuty will deliver it again.");
        }
        signal.Set();
        metrics.WebhookReceived(IntakeOutcome.Accepted);
        LogReceived(log, parsed, webhookId, body.Length);
        return new IntakeResult(IntakeOutcome.Accepted, "Stored.");
    }

    /// The integration log's entry for a stored delivery: PagerDuty's, or the sandbox's (which stores its own).
    public static void LogReceived(Logging.IntegrationLog log, PagerDutyWebhookEvent parsed, string? webhookId, int bytes) =>
        log.Write(Logging.LogLevel.Info, Logging.LogCategories.Webhook, $"Received {parsed.EventType} for incident {parsed.Incident.IncidentNumber?.ToString() ?? parsed.Incident.IncidentId}",
            Logging.Correlation.ForEvent(parsed.EventId), incidentId: parsed.Incident.IncidentId,
            details: new { parsed.EventId, parsed.EventType, webhookId, parsed.Incident.IncidentTitle, parsed.Incident.IncidentStatus, parsed.Incident.ServiceName, bytes });

    /// The stored subscription's secret and `PagerDuty:WebhookSecrets`.
    private List<string> Secrets() =>
        [.. subscriptions.StoredSecrets(), .. options.CurrentValue.WebhookSecrets.Where(s => !string.IsNullOrWhiteSpace(s))];

    /// When the last `pagey.ping` arrived, for the Webhooks tab's "Send test".
    public DateTimeOffset? LastPing { get; private set; }

    /// A body over `MaxBodyBytes`, which the endpoint may find before reading it all.
    public IntakeResult RefuseTooLarge() => Refuse(IntakeOutcome.TooLarge, $"The body is larger than {MaxBodyBytes / 1024} KiB.");

    private IntakeResult Refuse(IntakeOutcome outcome, string message)
    {
        metrics.WebhookRefused(outcome);
        LogRefused(outcome, message);
        refusals.Count(message);
        return new IntakeResult(outcome, message);
    }

    [LoggerMessage(Level = LogLevel.Warning, EventName = "WebhookRefused", Message = "Security: refused a webhook delivery ({Outcome}): {Reason}")]
    private partial void LogRefused(IntakeOutcome outcome, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store a {EventType} webhook; answered 503 so that PagerDuty retries")]
    private partial void LogStoreFailed(string eventType);
}

/// Wakes the webhook processor when an event is stored.
public sealed class WebhookSignal : WakeSignal;

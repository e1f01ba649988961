namespace Portal.Core.Webhooks;

public static class WebhookEventStates
{
    public const string Pending = "pending";
    public const string Processed = "processed";
    public const string Failed = "failed";
    /// Older than an event of the same incident processed before it (by PagerDuty's `occurred_at`): its incident
    /// state was not applied and no rule ran (a note or status update it carried is still kept).
    public const string Superseded = "superseded";
}

/// A PagerDuty webhook delivery, stored before it is answered and processed after. The unique event id (and
/// `X-Webhook-Id`) make a second delivery of the same event a no-op.
public sealed class WebhookEventEntity
{
    public long Id { get; set; }
    public required string EventId { get; set; }
    public string? WebhookId { get; set; }
    public required string EventType { get; set; }
    public string? IncidentId { get; set; }
    public required string Body { get; set; }
    public DateTime ReceivedUtc { get; set; }
    /// When PagerDuty says the event happened (`event.occurred_at`), if it says.
    public DateTime? OccurredUtc { get; set; }
    public string State { get; set; } = WebhookEventStates.Pending;
    public DateTime? ProcessedUtc { get; set; }
    public string? Error { get; set; }
}

namespace Portal.Core.Dispatch;

public static class PlannedActionStates
{
    public const string Pending = "pending";
    public const string InFlight = "inFlight";
    public const string Succeeded = "succeeded";
    public const string DeadLettered = "deadLettered";
    public const string Discarded = "discarded";
}

/// A PagerDuty action that a rule or an agent decided, stored in the same transaction as the change that caused
/// it (the outbox). The dispatcher claims due rows, calls PagerDuty and records the outcome.
public sealed class PlannedActionEntity
{
    public Guid Id { get; set; }
    public DateTime CreatedUtc { get; set; }
    /// The action as the rules document names it (`createIncident`, `addNote`, ...).
    public required string ActionType { get; set; }
    /// The action with its placeholders filled, as JSON.
    public required string PayloadJson { get; set; }
    public string? ObjectName { get; set; }
    public string? RecordId { get; set; }
    /// The incident acted on; null for `createIncident` until PagerDuty answers.
    public string? IncidentId { get; set; }
    public string? Ruleset { get; set; }
    public string? Rule { get; set; }
    /// Who decided it: the person, or `rule`.
    public required string RequestedBy { get; set; }
    public Guid CorrelationId { get; set; }
    /// The rules that led here (`ruleset/rule`, in order), so that their echo from PagerDuty does not set them off again.
    public string RuleChainJson { get; set; } = "[]";
    /// Sent to PagerDuty so that a retry cannot act twice (`incident_key` of `createIncident`).
    public string? IdempotencyKey { get; set; }
    public string State { get; set; } = PlannedActionStates.Pending;
    public int Attempts { get; set; }
    public DateTime NextAttemptUtc { get; set; }
    public DateTime? LeaseUntilUtc { get; set; }
    /// The process that holds the claim (`PortalInstance.Id`) and the claim itself: an outcome is stored only while the
    /// token still matches, so a claim taken back from a process that is gone can never be overwritten by it.
    public string? LeaseOwner { get; set; }
    public Guid? ClaimToken { get; set; }
    /// An earlier attempt may have reached PagerDuty without Portal learning its outcome (the process died mid-call, or
    /// the call timed out or failed with a 5xx): before a non-idempotent action is sent again, PagerDuty is asked.
    public bool DeliveryUncertain { get; set; }
    /// The PagerDuty event recognised as this action's echo (`PagerDutyEchoes`), so that one action matches one echo.
    public string? EchoEventId { get; set; }
    public string? LastError { get; set; }
    public DateTime? CompletedUtc { get; set; }
    /// The W3C `traceparent` of the span that planned this action (the rules of a record change or a webhook event),
    /// so that the dispatcher's span, and the PagerDuty request under it, continue that trace however much later and
    /// on whichever instance the action runs. Taken from the current span when the action is made; null untraced.
    public string? TraceParent { get; set; } = Telemetry.PortalActivities.CurrentTraceParent();
}

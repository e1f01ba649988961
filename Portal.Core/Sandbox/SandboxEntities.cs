namespace Portal.Core.Sandbox;

/// An incident of the sandbox account (PagerDuty:Mode=Sandbox), kept in the portal's database.
public sealed class SandboxIncidentEntity
{
    public required string Id { get; set; }
    public long Number { get; set; }
    public required string Title { get; set; }
    public string Status { get; set; } = "triggered";
    public string Urgency { get; set; } = "high";
    public string? PriorityId { get; set; }
    public required string ServiceId { get; set; }
    public string? EscalationPolicyId { get; set; }
    public string? IncidentKey { get; set; }
    public string AssigneesJson { get; set; } = "[]";
    public string? Details { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime UpdatedUtc { get; set; }
}

public sealed class SandboxNoteEntity
{
    public required string Id { get; set; }
    public required string IncidentId { get; set; }
    public required string Content { get; set; }
    public string? UserName { get; set; }
    /// `note` or `statusUpdate`.
    public string Kind { get; set; } = "note";
    public DateTime CreatedUtc { get; set; }
}

/// A business service of the sandbox account: like PagerDuty's service dependencies, an open incident on one of its
/// supporting (technical) services impacts it.
public sealed class SandboxBusinessServiceEntity
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// The ids of the technical services it depends on, as a JSON array.
    public string SupportingServiceIdsJson { get; set; } = "[]";
}

/// A Webhooks v3 subscription made on the sandbox account, with the signing secret the sandbox signs its test
/// deliveries with (encrypted, as every stored secret).
public sealed class SandboxWebhookSubscriptionEntity
{
    public required string Id { get; set; }
    public required string Url { get; set; }
    public string FilterType { get; set; } = "account_reference";
    public string? FilterId { get; set; }
    public required string EncryptedSecret { get; set; }
    /// The event types subscribed to, as a JSON array.
    public string EventsJson { get; set; } = "[]";
    public DateTime CreatedUtc { get; set; }
}

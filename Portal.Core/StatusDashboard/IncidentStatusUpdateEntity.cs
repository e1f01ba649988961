namespace Portal.Core.StatusDashboard;

public static class StatusUpdateSources
{
    /// Published in PagerDuty and received as an `incident.status_update_published` webhook.
    public const string Webhook = "webhook";
    /// Posted by Portal (a rule or an agent in the Command Console).
    public const string Portal = "portal";
}

/// A status update of an incident. PagerDuty has no API to read them back, so Portal keeps those it received or sent.
public sealed class IncidentStatusUpdateEntity
{
    public Guid Id { get; set; }
    public required string IncidentId { get; set; }
    /// PagerDuty's id of the update (`data.id` of the webhook, `status_update.id` of the POST answer); null until known.
    public string? PagerDutyId { get; set; }
    public required string Message { get; set; }
    public DateTime CreatedUtc { get; set; }
    public string Source { get; set; } = StatusUpdateSources.Webhook;
    /// Who published it: the PagerDuty user of the webhook, or the person or rule that asked Portal to.
    public string? Author { get; set; }
}

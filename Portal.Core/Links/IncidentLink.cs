namespace Portal.Core.Links;

/// A record linked to a PagerDuty incident, with the incident's state as last seen, so that pages render without
/// calling PagerDuty.
public sealed class IncidentLinkEntity
{
    public Guid Id { get; set; }
    public required string RecordId { get; set; }
    public required string ObjectName { get; set; }
    public required string IncidentId { get; set; }
    public long? Number { get; set; }
    public string? Title { get; set; }
    public string? Status { get; set; }
    public string? Urgency { get; set; }
    public string? Priority { get; set; }
    public string? ServiceId { get; set; }
    public string? ServiceName { get; set; }
    public string? HtmlUrl { get; set; }
    /// The assignees' names, one per line (PagerDuty's `assignees[].summary`).
    public string? Assignees { get; set; }
    /// When PagerDuty created the incident (the console shows its age).
    public DateTime? IncidentCreatedUtc { get; set; }
    public DateTime LinkedUtc { get; set; }
    public string? LinkedBy { get; set; }
    /// When the incident's state above was last refreshed.
    public DateTime LastUpdatedUtc { get; set; }
}

/// A linked incident in the contract's JSON shape (`incidents` of a record).
public sealed record IncidentLinkDto(
    string IncidentId, long? Number, string? Title, string? Status, string? Urgency, string? Priority, string? ServiceId,
    string? HtmlUrl, string? ServiceName, DateTime LinkedUtc, DateTime LastUpdatedUtc, IReadOnlyList<string> Assignees, DateTime? CreatedUtc)
{
    public static IncidentLinkDto From(IncidentLinkEntity link) => new(link.IncidentId, link.Number, link.Title, link.Status,
        link.Urgency, link.Priority, link.ServiceId, link.HtmlUrl, link.ServiceName, link.LinkedUtc, link.LastUpdatedUtc,
        IncidentState.SplitAssignees(link.Assignees), link.IncidentCreatedUtc);
}

/// What is known of an incident when it is linked or refreshed.
public sealed record IncidentState(
    string IncidentId, long? Number = null, string? Title = null, string? Status = null, string? Urgency = null,
    string? Priority = null, string? ServiceId = null, string? ServiceName = null, string? HtmlUrl = null,
    IReadOnlyList<string>? Assignees = null, DateTime? CreatedUtc = null)
{
    public static IReadOnlyList<string> SplitAssignees(string? stored) =>
        string.IsNullOrEmpty(stored) ? [] : stored.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

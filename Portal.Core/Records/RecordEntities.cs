namespace Portal.Core.Records;

public sealed class RecordEntity
{
    public required string Id { get; set; }
    public required string ObjectName { get; set; }
    /// The field values as one JSON object, in the contract's shape.
    public required string FieldsJson { get; set; }
    /// Lower-case text of the record's values, for search.
    public string SearchText { get; set; } = "";
    public int Version { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime UpdatedUtc { get; set; }
    public string? CreatedBy { get; set; }
    public string? UpdatedBy { get; set; }
    /// The form submission or `Idempotency-Key` that created the record (unique): a second create with it makes nothing.
    public string? SubmissionKey { get; set; }
    /// SHA-256 of what that create asked for (caller, object, values), so that a key used again for another create is refused.
    public string? SubmissionHash { get; set; }
}

/// One sortable value per record and field, so that lists sort by any field in SQL on every provider.
public sealed class RecordSortKeyEntity
{
    public required string RecordId { get; set; }
    public required string ObjectName { get; set; }
    public required string Field { get; set; }
    public string? Text { get; set; }
    public double? Number { get; set; }
}

public sealed class RecordCommentEntity
{
    public Guid Id { get; set; }
    public required string RecordId { get; set; }
    public required string Body { get; set; }
    public required string Author { get; set; }
    public DateTime CreatedUtc { get; set; }
    /// `portal` for comments written here; `pagerduty` for notes brought back from PagerDuty.
    public string Source { get; set; } = CommentSources.Portal;
    /// The PagerDuty note this comment was sent as, or came from.
    public string? PagerDutyNoteId { get; set; }
}

public static class CommentSources
{
    public const string Portal = "portal";
    public const string PagerDuty = "pagerduty";
}

namespace Portal.Core.Rulesets;

/// One saved rules document. Every save is a new version; the newest is the one in force.
public sealed class RulesetVersionEntity
{
    public long Version { get; set; }
    public required string DocumentJson { get; set; }
    public DateTime CreatedUtc { get; set; }
    public required string CreatedBy { get; set; }
    /// What the save was: an import, an edit in the browser, a restore of version N.
    public string? Note { get; set; }
    /// The saver's own words about the change, when they gave any (the Rulesets tab's note, `PUT /api/rulesets?note=`).
    public string? Comment { get; set; }
    public int RuleCount { get; set; }
}

public sealed record RulesetVersionInfo(long Version, DateTime CreatedUtc, string CreatedBy, string? Note, int RuleCount, string? Comment = null);

/// The optional note saved with a rules version: one line of text, at most `MaxLength` characters.
public static class RulesetVersionComment
{
    public const int MaxLength = 500;

    /// The note as stored (trimmed; null when blank), or a validation error under `note` naming what is wrong.
    public static string? Normalize(string? comment)
    {
        var trimmed = comment?.Trim();
        if (string.IsNullOrEmpty(trimmed)) return null;
        if (trimmed.Length > MaxLength)
            throw new PortalValidationException("note", $"The note is {trimmed.Length:N0} characters long; a version keeps at most {MaxLength}.");
        for (var i = 0; i < trimmed.Length; i++)
        {
            if (char.IsControl(trimmed[i]))
                throw new PortalValidationException("note", $"The note must be one line of text: character {i + 1} is a line break, tab or other control character.");
        }
        return trimmed;
    }
}

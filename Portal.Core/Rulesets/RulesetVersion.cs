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
    public int RuleCount { get; set; }
}

public sealed record RulesetVersionInfo(long Version, DateTime CreatedUtc, string CreatedBy, string? Note, int RuleCount);

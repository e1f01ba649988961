namespace Portal.Core.Rules.Actions;

[RuleActionType("addNote", "Add note to linked Incidents", 100, InConsole = true, Verb = "Add note", EchoedAs = "annotate")]
public sealed record AddNoteAction : PagerDutyAction
{
    [System.ComponentModel.DisplayName("Note")]
    public string? Content { get; init; }
    /// The record comment the note was made from (comment/note sync), so that its webhook is not imported back.
    [NotInEditor]
    public string? CommentId { get; init; }

    public override void Validate(ActionCheck check) => check.RequireText("content", Content);
}

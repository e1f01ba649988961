namespace Portal.Core.Rules.Actions;

[RuleActionType("addNote", "Add note to linked Incidents", 100, InConsole = true)]
public sealed record AddNoteAction : PagerDutyAction
{
    public string? Content { get; init; }
    /// The record comment the note was made from (comment/note sync), so that its webhook is not imported back.
    public string? CommentId { get; init; }

    public override void Validate(ActionCheck check) => check.RequireText("content", Content);
}

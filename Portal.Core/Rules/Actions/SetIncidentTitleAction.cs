namespace Portal.Core.Rules.Actions;

[RuleActionType("setIncidentTitle", "Set linked Incidents title", 110, InConsole = true, StoredAs = ["changeTitle"])]
public sealed record SetIncidentTitleAction : PagerDutyAction
{
    /// Cut to 1024 characters when sent.
    public string? Title { get; init; }

    public override void Validate(ActionCheck check) => check.RequireText("title", Title);
}

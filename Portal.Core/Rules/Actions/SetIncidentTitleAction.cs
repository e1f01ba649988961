namespace Portal.Core.Rules.Actions;

[RuleActionType("setIncidentTitle", "Set linked Incidents title", 110, InConsole = true, Verb = "Change title", StoredAs = ["changeTitle"])]
public sealed record SetIncidentTitleAction : PagerDutyAction
{
    /// Cut to 1024 characters when sent.
    [System.ComponentModel.DisplayName("Title")]
    public string? Title { get; init; }

    public override void Validate(ActionCheck check) => check.RequireText("title", Title);
}

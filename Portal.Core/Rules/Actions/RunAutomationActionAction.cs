namespace Portal.Core.Rules.Actions;

[RuleActionType("runAutomationAction", "Run Automation Action on linked Incidents", 90, InConsole = true, Verb = "Run automation action")]
public sealed record RunAutomationActionAction : PagerDutyAction
{
    [System.ComponentModel.DisplayName("Automation Action")]
    public string? ActionId { get; init; }

    public override void Validate(ActionCheck check) => check.RequireText("actionId", ActionId);
}

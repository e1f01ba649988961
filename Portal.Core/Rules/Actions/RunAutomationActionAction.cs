namespace Portal.Core.Rules.Actions;

[RuleActionType("runAutomationAction", "Run Automation Action on linked Incidents", 90, InConsole = true)]
public sealed record RunAutomationActionAction : PagerDutyAction
{
    public string? ActionId { get; init; }

    public override void Validate(ActionCheck check) => check.RequireText("actionId", ActionId);
}

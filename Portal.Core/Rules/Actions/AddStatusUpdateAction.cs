namespace Portal.Core.Rules.Actions;

[RuleActionType("addStatusUpdate", "Add status update to linked Incidents", 130, InConsole = true)]
public sealed record AddStatusUpdateAction : PagerDutyAction
{
    public string? Message { get; init; }

    public override void Validate(ActionCheck check) => check.RequireText("message", Message);
}

namespace Portal.Core.Rules.Actions;

[RuleActionType("addStatusUpdate", "Add status update to linked Incidents", 130, InConsole = true, Verb = "Send status update", EchoedAs = "statusUpdate")]
public sealed record AddStatusUpdateAction : PagerDutyAction
{
    [System.ComponentModel.DisplayName("Status update")]
    public string? Message { get; init; }

    public override void Validate(ActionCheck check) => check.RequireText("message", Message);
}

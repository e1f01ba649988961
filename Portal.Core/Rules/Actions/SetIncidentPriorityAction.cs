namespace Portal.Core.Rules.Actions;

[RuleActionType("setIncidentPriority", "Set linked Incidents priority", 40, InConsole = true, Verb = "Set priority", EchoedAs = "priorityUpdate")]
public sealed record SetIncidentPriorityAction : PagerDutyAction
{
    [System.ComponentModel.DisplayName("Priority")]
    public string? PriorityId { get; init; }

    public override void Validate(ActionCheck check) => check.RequireText("priorityId", PriorityId);
}

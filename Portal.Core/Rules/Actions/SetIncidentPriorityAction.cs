namespace Portal.Core.Rules.Actions;

[RuleActionType("setIncidentPriority", "Set linked Incidents priority", 40, InConsole = true)]
public sealed record SetIncidentPriorityAction : PagerDutyAction
{
    public string? PriorityId { get; init; }

    public override void Validate(ActionCheck check) => check.RequireText("priorityId", PriorityId);
}

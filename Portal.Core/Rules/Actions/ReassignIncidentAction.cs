namespace Portal.Core.Rules.Actions;

[RuleActionType("reassignIncident", "Reassign linked Incidents", 60, InConsole = true)]
public sealed record ReassignIncidentAction : PagerDutyAction
{
    public string? EscalationPolicyId { get; init; }
    public IReadOnlyList<string>? UserIds { get; init; }

    public override void Validate(ActionCheck check)
    {
        if (!ActionCheck.HasText(EscalationPolicyId) && !ActionCheck.HasTextList(UserIds))
        {
            check.Fail(null, "needs 'escalationPolicyId' or 'userIds'.");
        }
    }
}

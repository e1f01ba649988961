namespace Portal.Core.Rules.Actions;

[RuleActionType("reassignIncident", "Reassign linked Incidents", 60, InConsole = true, Verb = "Reassign", EchoedAs = "assign", NotOnResolved = true)]
public sealed record ReassignIncidentAction : PagerDutyAction
{
    [System.ComponentModel.DisplayName("Escalation Policy")]
    public string? EscalationPolicyId { get; init; }
    [System.ComponentModel.DisplayName("Assign to (PagerDuty users)")]
    public IReadOnlyList<string>? UserIds { get; init; }

    public override void Validate(ActionCheck check)
    {
        if (!ActionCheck.HasText(EscalationPolicyId) && !ActionCheck.HasTextList(UserIds))
        {
            check.Fail(null, "needs 'escalationPolicyId' or 'userIds'.");
        }
    }
}

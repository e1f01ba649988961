namespace Portal.Core.Rules.Actions;

[RuleActionType("addResponders", "Add responders to linked Incidents", 70, InConsole = true, Verb = "Add responders", EchoedAs = "responderAdded")]
public sealed record AddRespondersAction : PagerDutyAction
{
    [System.ComponentModel.DisplayName("Responders (PagerDuty users)")]
    public IReadOnlyList<string>? UserIds { get; init; }
    [System.ComponentModel.DisplayName("Responders (escalation policies)")]
    public IReadOnlyList<string>? EscalationPolicyIds { get; init; }
    [System.ComponentModel.DisplayName("Message to the responders")]
    public string? Message { get; init; }

    public override void Validate(ActionCheck check)
    {
        if (!ActionCheck.HasTextList(UserIds) && !ActionCheck.HasTextList(EscalationPolicyIds))
        {
            check.Fail(null, "needs 'userIds' or 'escalationPolicyIds'.");
        }

        check.RequireText("message", Message);
    }
}

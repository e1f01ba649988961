namespace Portal.Core.Rules.Actions;

[RuleActionType("addResponders", "Add responders to linked Incidents", 70, InConsole = true)]
public sealed record AddRespondersAction : PagerDutyAction
{
    public IReadOnlyList<string>? UserIds { get; init; }
    public IReadOnlyList<string>? EscalationPolicyIds { get; init; }
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

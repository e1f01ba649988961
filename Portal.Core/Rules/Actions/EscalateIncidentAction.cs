namespace Portal.Core.Rules.Actions;

[RuleActionType("escalateIncident", "Escalate linked Incidents", 120, InConsole = true, Verb = "Escalate", EchoedAs = "escalate", NotOnResolved = true, OldParameters = ["level:escalationLevel"])]
public sealed record EscalateIncidentAction : PagerDutyAction
{
    [System.ComponentModel.DisplayName("Escalation level")]
    public int? EscalationLevel { get; init; }

    public override void Validate(ActionCheck check)
    {
        if (check.IsWrongKind("escalationLevel") || EscalationLevel < 1)
        {
            check.Fail("escalationLevel", "needs 'escalationLevel' as a whole number of 1 or more.");
        }
        else if (EscalationLevel is null)
        {
            check.Fail("escalationLevel", "needs 'escalationLevel'.");
        }
    }
}

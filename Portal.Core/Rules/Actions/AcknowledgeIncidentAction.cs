namespace Portal.Core.Rules.Actions;

[RuleActionType("acknowledgeIncident", "Acknowledge linked Incidents", 20, InConsole = true, Verb = "Acknowledge", EchoedAs = "acknowledge", NotOnResolved = true)]
public sealed record AcknowledgeIncidentAction : PagerDutyAction
{
    public override void Validate(ActionCheck check)
    {
    }
}

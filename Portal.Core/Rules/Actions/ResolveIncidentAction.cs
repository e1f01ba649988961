namespace Portal.Core.Rules.Actions;

[RuleActionType("resolveIncident", "Resolve linked Incidents", 30, InConsole = true, Verb = "Resolve", EchoedAs = "resolve", NotOnResolved = true)]
public sealed record ResolveIncidentAction : PagerDutyAction
{
    [System.ComponentModel.DisplayName("Resolution note")]
    public string? Resolution { get; init; }

    public override void Validate(ActionCheck check) => check.OptionalText("resolution");
}

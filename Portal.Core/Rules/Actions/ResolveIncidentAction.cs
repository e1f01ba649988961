namespace Portal.Core.Rules.Actions;

[RuleActionType("resolveIncident", "Resolve linked Incidents", 30, InConsole = true)]
public sealed record ResolveIncidentAction : PagerDutyAction
{
    public string? Resolution { get; init; }

    public override void Validate(ActionCheck check) => check.OptionalText("resolution");
}

namespace Portal.Core.Rules.Actions;

[RuleActionType("setIncidentUrgency", "Set linked Incidents urgency", 50, InConsole = true, Verb = "Set urgency")]
public sealed record SetIncidentUrgencyAction : PagerDutyAction
{
    [System.ComponentModel.DisplayName("Urgency")]
    public string? Urgency { get; init; }

    public override void Validate(ActionCheck check)
    {
        if (!check.Has("urgency")) check.Fail("urgency", "needs 'urgency' ('high' or 'low').");
        Urgencies.CheckOptional(check);
    }
}

namespace Portal.Core.Rules.Actions;

[RuleActionType("setIncidentConference", "Set linked Incidents conference bridge", 115, InConsole = true, Verb = "Set conference bridge")]
public sealed record SetIncidentConferenceAction : PagerDutyAction
{
    /// The dial-in number, as PagerDuty shows it (`+1 415-555-1212,,,,1234#`).
    [System.ComponentModel.DisplayName("Conference number")]
    public string? ConferenceNumber { get; init; }

    /// The meeting's address (http or https).
    [System.ComponentModel.DisplayName("Conference URL")]
    public string? ConferenceUrl { get; init; }

    public override void Validate(ActionCheck check)
    {
        check.OptionalText("conferenceNumber");
        check.OptionalText("conferenceUrl");
        if (!ActionCheck.HasText(ConferenceNumber) && !ActionCheck.HasText(ConferenceUrl))
        {
            check.Fail(null, "needs 'conferenceNumber' or 'conferenceUrl'.");
        }
        else if (ActionCheck.HasText(ConferenceUrl) && !ConferenceUrl!.Contains("{{", StringComparison.Ordinal)
            && !(Uri.TryCreate(ConferenceUrl.Trim(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            check.Fail("conferenceUrl", $"needs 'conferenceUrl' as an http or https address, not '{ConferenceUrl}'.");
        }
    }
}

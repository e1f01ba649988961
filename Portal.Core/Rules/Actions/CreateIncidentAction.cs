namespace Portal.Core.Rules.Actions;

[RuleActionType("createIncident", "Create new Incident, if there are no linked incidents", 10, EchoedAs = "trigger")]
public sealed record CreateIncidentAction : PagerDutyAction
{
    [System.ComponentModel.DisplayName("PagerDuty Service")]
    public string? ServiceId { get; init; }
    [NotInEditor]
    public IncidentTitleSpec? Title { get; init; }
    [System.ComponentModel.DisplayName("Urgency")]
    public string? Urgency { get; init; }
    [System.ComponentModel.DisplayName("Priority")]
    public string? PriorityId { get; init; }
    [System.ComponentModel.DisplayName("Escalation Policy")]
    public string? EscalationPolicyId { get; init; }
    /// A user to assign instead of an escalation policy (the console's assignee).
    [NotInEditor]
    public IReadOnlyList<string>? UserIds { get; init; }
    /// The incident's body: text, or any JSON value, sent as its JSON text.
    [System.ComponentModel.DisplayName("Incident details")]
    public System.Text.Json.JsonElement? Details { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string? DetailsText => Details is not { } details || details.ValueKind == System.Text.Json.JsonValueKind.Null ? null
        : details.ValueKind == System.Text.Json.JsonValueKind.String ? details.GetString() : details.GetRawText();

    public override void Validate(ActionCheck check)
    {
        check.RequireText("serviceId", ServiceId);
        Urgencies.CheckOptional(check);
        check.OptionalText("priorityId");
        check.OptionalText("escalationPolicyId");
        if (check.IsWrongKind("title") || (check.InRule && Title?.Text is not null))
        {
            check.Fail("title", "needs 'title' as an object {\"prefix\": \"...\", \"fields\": [...]}.");
        }
        else if (Title is not null && check.InRule)
        {
            CheckTitleSpec(check, Title);
        }
    }

    private static void CheckTitleSpec(ActionCheck check, IncidentTitleSpec title)
    {
        if (title.BadPrefix) check.Fail("title.prefix", "needs 'title.prefix' as text.");
        if (title.BadFields)
        {
            check.Fail("title.fields", "needs 'title.fields' as a list of field names.");
            return;
        }

        var fields = title.Fields ?? [];
        if (fields.Count > 3) check.Fail("title.fields", $"has {fields.Count} title fields; at most 3 are allowed.");
        foreach (var field in fields)
        {
            if (check.Object is { } type && !type.HasField(field))
            {
                check.Fail("title.fields", $"uses unknown title field '{field}' on object '{type.Name}'.");
            }
        }
    }
}

/// PagerDuty's two urgencies, as `createIncident` and `setIncidentUrgency` check them.
internal static class Urgencies
{
    public static void CheckOptional(ActionCheck check)
    {
        if (check.Has("urgency") && (check.IsWrongKind("urgency") || check.Shown("urgency") is not ("\"high\"" or "\"low\"")))
        {
            check.Fail("urgency", $"needs 'urgency' of 'high' or 'low', not {check.Shown("urgency")}.");
        }
    }
}

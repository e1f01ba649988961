namespace Portal.Core.Rules;

public static class RuleOperators
{
    public const string EqualTo = "equals";
    public const string NotEquals = "notEquals";
    public const string Contains = "contains";
    public const string NotContains = "notContains";
    public const string StartsWith = "startsWith";
    public const string EndsWith = "endsWith";
    public const string In = "in";
    public const string NotIn = "notIn";
    public const string IsBlank = "isBlank";
    public const string IsNotBlank = "isNotBlank";
    public const string GreaterThan = "greaterThan";
    public const string GreaterOrEqual = "greaterOrEqual";
    public const string LessThan = "lessThan";
    public const string LessOrEqual = "lessOrEqual";
    public const string Matches = "matches";
    public const string Changed = "changed";
    public const string ChangedTo = "changedTo";
    public const string ChangedFrom = "changedFrom";

    public static IReadOnlyList<string> All { get; } =
    [
        EqualTo, NotEquals, Contains, NotContains, StartsWith, EndsWith, In, NotIn, IsBlank, IsNotBlank,
        GreaterThan, GreaterOrEqual, LessThan, LessOrEqual, Matches, Changed, ChangedTo, ChangedFrom,
    ];

    public static bool IsKnown(string op) => All.Contains(op, StringComparer.Ordinal);

    public static bool TakesNoValue(string op) => op is IsBlank or IsNotBlank or Changed;

    public static bool TakesList(string op) => op is In or NotIn;

    public static bool IsOrdering(string op) => op is GreaterThan or GreaterOrEqual or LessThan or LessOrEqual;

    public static bool IsChange(string op) => op is Changed or ChangedTo or ChangedFrom;
}

public static class RuleFields
{
    public const string BusinessHours = "time.businessHours";

    public static IReadOnlyList<string> PagerDuty { get; } =
    [
        "pd.eventType", "pd.incidentTitle", "pd.incidentStatus", "pd.service", "pd.serviceName",
        "pd.escalationPolicy", "pd.escalationPolicyName", "pd.priority", "pd.urgency",
    ];

    public static bool IsPagerDuty(string field) => PagerDuty.Contains(field, StringComparer.Ordinal);

    /// A PagerDuty field as the original names it ("Event Type", "PagerDuty Service"), for the rule editor.
    public static string LabelOf(string field) => field switch
    {
        "pd.eventType" => "Event Type",
        "pd.incidentTitle" => "Incident Title",
        "pd.incidentStatus" => "Incident Status",
        "pd.service" => "PagerDuty Service",
        "pd.serviceName" => "PagerDuty Service Name",
        "pd.escalationPolicy" => "Escalation Policy",
        "pd.escalationPolicyName" => "Escalation Policy Name",
        "pd.priority" => "Priority",
        "pd.urgency" => "Urgency",
        BusinessHours => "Business hours",
        _ => field,
    };

    public static readonly IReadOnlyList<string> IncidentStatuses = ["triggered", "acknowledged", "resolved"];
    public static readonly IReadOnlyList<string> Urgencies = ["high", "low"];
    public static readonly IReadOnlyList<string> Booleans = ["true", "false"];

    /// The values a field can only hold, and what they are ("a PagerDuty event type"), when the set is closed and known
    /// without asking PagerDuty: a value outside it can never match, so the validator refuses it.
    public static (IReadOnlyList<string> Values, string What)? ClosedSet(string field, ObjectType? type) => field switch
    {
        "pd.eventType" => ([.. PagerDutyEventTypes.ShortForms], "a PagerDuty event type"),
        "pd.incidentStatus" => (IncidentStatuses, "an incident status"),
        "pd.urgency" => (Urgencies, "an urgency"),
        BusinessHours => (Booleans, "true or false"),
        _ when type is not null && type.TryGetField(field, out var definition) => definition.Type switch
        {
            FieldType.Picklist when definition.Values is { Count: > 0 } values => (values, $"a value of picklist field '{field}'"),
            FieldType.Boolean => (Booleans, "true or false"),
            _ => null,
        },
        _ => null,
    };

    /// The operators whose values are compared whole with the field's value: these must lie in its closed set.
    public static bool ComparesWholeValues(string op) => op is RuleOperators.EqualTo or RuleOperators.NotEquals or RuleOperators.In
        or RuleOperators.NotIn or RuleOperators.ChangedTo or RuleOperators.ChangedFrom;

    public static bool IsSpecial(string field) => field == BusinessHours || IsPagerDuty(field);

    public static string PagerDutyValue(string field, PagerDutyFacts? facts) =>
        facts is null
            ? ""
            : field switch
            {
                "pd.eventType" => facts.EventType,
                "pd.incidentTitle" => facts.IncidentTitle,
                "pd.incidentStatus" => facts.IncidentStatus,
                "pd.service" => facts.ServiceId,
                "pd.serviceName" => facts.ServiceName,
                "pd.escalationPolicy" => facts.EscalationPolicyId,
                "pd.escalationPolicyName" => facts.EscalationPolicyName,
                "pd.priority" => facts.Priority,
                "pd.urgency" => facts.Urgency,
                _ => null,
            } ?? "";

    public static string BusinessHoursValue(bool isBusinessHours) => isBusinessHours ? "true" : "false";
}

/// The names of the action types (`Actions.RuleActionCatalog` holds the types themselves).
public static class RuleActionTypes
{
    public const string CreateIncident = "createIncident";
    public const string AcknowledgeIncident = "acknowledgeIncident";
    public const string ResolveIncident = "resolveIncident";
    public const string SetIncidentPriority = "setIncidentPriority";
    public const string SetIncidentUrgency = "setIncidentUrgency";
    public const string ReassignIncident = "reassignIncident";
    public const string AddResponders = "addResponders";
    public const string RunIncidentWorkflow = "runIncidentWorkflow";
    public const string RunAutomationAction = "runAutomationAction";
    public const string AddNote = "addNote";
    public const string SetIncidentTitle = "setIncidentTitle";
    public const string SetIncidentConference = "setIncidentConference";
    public const string SetIncidentCustomFields = "setIncidentCustomFields";
    public const string EscalateIncident = "escalateIncident";
    public const string AddStatusUpdate = "addStatusUpdate";
    public const string SetField = "setField";
    public const string CreateRecord = "createRecord";

    public static IReadOnlyList<string> PagerDuty { get; } = [.. Actions.RuleActionCatalog.PagerDuty.Select(k => k.Name)];

    public static IReadOnlyList<string> Record { get; } = [.. Actions.RuleActionCatalog.Record.Select(k => k.Name)];

    public static bool IsPagerDuty(string type) => Actions.RuleActionCatalog.Find(type) is { IsRecord: false };

    public static bool IsRecord(string type) => Actions.RuleActionCatalog.Find(type) is { IsRecord: true };
}

using System.Text.Json;

namespace Portal.Core.Rules.Actions;

[RuleActionType("setIncidentCustomFields", "Set linked Incidents custom fields", 118, InConsole = true, Verb = "Set custom fields", EchoedAs = "custom")]
public sealed record SetIncidentCustomFieldsAction : PagerDutyAction
{
    /// PagerDuty's field names (at most 50 characters) and their values: text (at most 200 characters), a number,
    /// true/false, a list of up to 10 texts (a multi-value field), or null to clear.
    [NotInEditor]
    public IReadOnlyDictionary<string, JsonElement>? Fields { get; init; }

    public const int MaxNameLength = 50;
    public const int MaxTextLength = 200;
    public const int MaxValues = 10;

    public override void Validate(ActionCheck check)
    {
        if (Fields is null || Fields.Count == 0)
        {
            check.Fail("fields", "needs 'fields' as an object of PagerDuty custom field names and values.");
            return;
        }

        foreach (var (name, value) in Fields)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength)
            {
                check.Fail("fields", $"names a custom field '{name}'; PagerDuty's field names have 1 to {MaxNameLength} characters.");
            }

            if (Problem(value) is { } problem) check.Fail("fields", $"needs custom field '{name}' {problem}.");
        }
    }

    private static string? Problem(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when value.GetString()!.Length > MaxTextLength => $"as text of at most {MaxTextLength} characters",
        JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => null,
        JsonValueKind.Array when value.GetArrayLength() > MaxValues => $"as a list of at most {MaxValues} values",
        JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String && v.GetString()!.Length <= MaxTextLength) => null,
        _ => $"as text, a number, true/false, a list of texts or null",
    };
}

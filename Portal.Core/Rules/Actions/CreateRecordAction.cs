using System.Text.Json;

namespace Portal.Core.Rules.Actions;

[RuleActionType("createRecord", "Create new {object}, if there is no linked {object}", 210)]
public sealed record CreateRecordAction : RecordAction
{
    /// Field names and values (text, a number, true/false or null).
    [NotInEditor]
    public IReadOnlyDictionary<string, JsonElement>? Fields { get; init; }

    public override void Validate(ActionCheck check)
    {
        if (Fields is null)
        {
            check.Fail("fields", "needs 'fields' as an object of field names and values.");
            return;
        }

        foreach (var (field, value) in Fields)
        {
            if (check.Object is { } type && !type.HasField(field))
            {
                check.Fail("fields", $"sets unknown field '{field}' on object '{type.Name}'.");
            }

            if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                check.Fail("fields", $"needs field '{field}' as text, a number, true/false or null.");
            }
        }
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Rules.Actions;

[RuleActionType("setField", "Set {object} field value", 200)]
public sealed record SetFieldAction : RecordAction
{
    [System.ComponentModel.DisplayName("Field")]
    public string? Field { get; init; }

    /// Text, a number, true/false or null (written as null, never left out).
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    [System.ComponentModel.DisplayName("Value")]
    public JsonElement? Value { get; init; }

    public override void Validate(ActionCheck check)
    {
        if (!ActionCheck.HasText(Field))
        {
            check.Fail("field", "needs 'field'.");
        }
        else if (check.Object is { } type && !type.HasField(Field!))
        {
            check.Fail("field", $"sets unknown field '{Field}' on object '{type.Name}'.");
        }

        if (!check.Has("value"))
        {
            check.Fail("value", "needs 'value'.");
        }
        else if (Value?.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            check.Fail("value", "needs 'value' as text, a number, true/false or null.");
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Portal.Core.Rules.Actions;

/// An action that cannot be read as a typed action: `Parameter` is `type` (none, or one Portal does not know).
public sealed class RuleActionFormatException(string parameter, string message) : FormatException(message)
{
    public string Parameter { get; } = parameter;
}

/// Reads and writes typed actions as the rules document and planned actions spell them: `"type"` first, the
/// parameters by their document names, absent optional parameters left out. Reading is tolerant of what a submitted
/// document may hold, so that the validator can say what is wrong in words: a parameter of the wrong kind is left
/// out of the typed action and named in `WrongKind`, and a parameter no type has is ignored.
public static class RuleActionJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize(RuleAction action) => JsonSerializer.Serialize(action, Options);

    public static JsonObject ToJsonObject(RuleAction action) => JsonSerializer.SerializeToNode(action, Options)!.AsObject();

    public static RuleAction Read(JsonObject written) => Read(written, out _);

    public static RuleAction Read(JsonObject written, out IReadOnlySet<string> wrongKind)
    {
        var type = written["type"] is JsonValue t && t.TryGetValue<string>(out var name) ? name : null;
        if (string.IsNullOrWhiteSpace(type)) throw new RuleActionFormatException("type", "has no type.");
        var kind = RuleActionCatalog.Find(type) ?? throw new RuleActionFormatException("type", $"has unknown type '{type}'.");
        var properties = Options.GetTypeInfo(kind.ClrType).Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var fitting = new JsonObject();
        var wrong = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (parameter, value) in written)
        {
            if (!properties.TryGetValue(parameter, out var property)) continue;
            if (value is null && !TakesNull(property.PropertyType)) continue;
            if (value is not null && !Fits(value, property.PropertyType))
            {
                wrong.Add(parameter);
                continue;
            }
            fitting[parameter] = value?.DeepClone();
        }
        wrongKind = wrong;
        return (RuleAction)fitting.Deserialize(kind.ClrType, Options)!;
    }

    /// A planned action's payload, as stored by this version or an earlier one (`changeTitle`, `escalateIncident`
    /// with `level`).
    public static RuleAction ReadStored(string payloadJson)
    {
        var written = JsonNode.Parse(payloadJson) as JsonObject ?? throw new JsonException("A planned action's payload must be a JSON object.");
        var storedType = written["type"] is JsonValue t && t.TryGetValue<string>(out var name) ? name : null;
        if (RuleActionCatalog.FindStored(storedType) is { } kind && kind.Name != storedType)
        {
            written["type"] = kind.Name;
        }
        foreach (var (old, now) in RuleActionCatalog.FindStored(storedType)?.OldParameters ?? new Dictionary<string, string>())
        {
            if (written.ContainsKey(old) && !written.ContainsKey(now))
            {
                var value = written[old];
                written.Remove(old);
                written[now] = value;
            }
        }
        var action = Read(written, out var wrongKind);
        if (wrongKind.Count > 0)
        {
            throw new JsonException($"The {action.Type} action holds {string.Join(", ", wrongKind.Select(p => $"'{p}'"))} as the wrong kind of value.");
        }
        return action;
    }

    internal static IReadOnlyList<ActionParameter> ParametersOf(Type clrType) =>
    [
        // what an action is written with: its settable parameters (a computed one such as `DetailsText`, and the kind's
        // name and label, are never written)
        .. Options.GetTypeInfo(clrType).Properties.Where(p => p.Set is not null).Select(p => new ActionParameter(p.Name,
            p.PropertyType == typeof(string) ? ActionParameterKind.Text
            : p.PropertyType == typeof(IReadOnlyList<string>) ? ActionParameterKind.TextList
            : p.PropertyType == typeof(int) || p.PropertyType == typeof(int?) ? ActionParameterKind.Number
            : ActionParameterKind.Value,
            p.AttributeProvider?.IsDefined(typeof(NotInEditorAttribute), inherit: false) != true,
            (p.AttributeProvider?.GetCustomAttributes(typeof(System.ComponentModel.DisplayNameAttribute), inherit: false)
                .OfType<System.ComponentModel.DisplayNameAttribute>().FirstOrDefault()?.DisplayName) ?? p.Name)),
    ];

    private static bool TakesNull(Type type) => type == typeof(JsonElement) || type == typeof(JsonElement?);

    private static bool Fits(JsonNode value, Type type)
    {
        if (type == typeof(string)) return IsText(value);
        if (type == typeof(int) || type == typeof(int?)) return value is JsonValue number && number.GetValueKind() == JsonValueKind.Number && number.TryGetValue<int>(out _);
        if (type == typeof(IReadOnlyList<string>)) return value is JsonArray list && list.All(IsText);
        if (type == typeof(IncidentTitleSpec)) return value is JsonObject || IsText(value);
        if (type == typeof(IReadOnlyDictionary<string, JsonElement>)) return value is JsonObject;
        return true;
    }

    private static bool IsText(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String;

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            AllowOutOfOrderMetadataProperties = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { AddActionTypes } },
        };
        options.MakeReadOnly();
        return options;
    }

    private static void AddActionTypes(JsonTypeInfo info)
    {
        if (info.Type != typeof(RuleAction)) return;
        info.PolymorphismOptions = new JsonPolymorphismOptions
        {
            TypeDiscriminatorPropertyName = "type",
            UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
        };
        foreach (var kind in RuleActionCatalog.All)
        {
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(kind.ClrType, kind.Name));
        }
    }
}

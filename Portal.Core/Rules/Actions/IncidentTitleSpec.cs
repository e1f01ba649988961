using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Portal.Core.Rules.Actions;

/// A `createIncident` title: in a rule `{prefix, fields}` (the prefix and up to three field values), once filled (or
/// from the console) the title text itself. `BadPrefix` and `BadFields` tell that the written object held them as the
/// wrong kind.
[JsonConverter(typeof(IncidentTitleSpecConverter))]
public sealed record IncidentTitleSpec
{
    public string? Text { get; init; }
    public string? Prefix { get; init; }
    public IReadOnlyList<string>? Fields { get; init; }
    public bool BadPrefix { get; init; }
    public bool BadFields { get; init; }

    public static IncidentTitleSpec Of(string text) => new() { Text = text };
}

internal sealed class IncidentTitleSpecConverter : JsonConverter<IncidentTitleSpec>
{
    public override IncidentTitleSpec? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (JsonNode.Parse(ref reader))
        {
            case JsonValue value when value.TryGetValue<string>(out var text):
                return IncidentTitleSpec.Of(text);
            case JsonObject spec:
                var prefix = spec["prefix"];
                var fields = spec["fields"];
                var prefixText = prefix is JsonValue p && p.TryGetValue<string>(out var pt) ? pt : null;
                var fieldNames = fields is JsonArray list && list.All(f => f is JsonValue v && v.TryGetValue<string>(out _))
                    ? list.Select(f => f!.GetValue<string>()).ToList()
                    : null;
                return new IncidentTitleSpec
                {
                    Prefix = prefixText, Fields = fieldNames,
                    BadPrefix = prefix is not null && prefixText is null, BadFields = fields is not null && fieldNames is null,
                };
            default:
                throw new JsonException("A title is text or an object {\"prefix\": \"...\", \"fields\": [...]}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, IncidentTitleSpec value, JsonSerializerOptions options)
    {
        if (value.Text is { } text)
        {
            writer.WriteStringValue(text);
            return;
        }

        writer.WriteStartObject();
        if (value.Prefix is { } prefix) writer.WriteString("prefix", prefix);
        if (value.Fields is { } fields)
        {
            writer.WritePropertyName("fields");
            JsonSerializer.Serialize(writer, fields, options);
        }
        writer.WriteEndObject();
    }
}

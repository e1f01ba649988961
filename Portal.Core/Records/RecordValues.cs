using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Rules;

namespace Portal.Core.Records;

/// Field values as the API carries them (JSON strings, numbers, booleans, null), checked against the field types.
public static class RecordValues
{
    public const int MaxTextLength = 32_000;

    /// Checks every given field and returns the values to store (null clears a field). All problems are reported
    /// together, each keyed `fields.<Name>`; nothing is returned unless every field is right.
    public static Dictionary<string, JsonNode?> Validate(ObjectTypeInfo type, JsonElement fields)
    {
        if (fields.ValueKind != JsonValueKind.Object)
            throw new PortalValidationException("fields", "'fields' must be a JSON object of field names and values.");

        var errors = new Errors();
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var property in fields.EnumerateObject())
        {
            var key = $"fields.{property.Name}";
            var field = type.Field(property.Name);
            if (field is null)
            {
                errors.Add(key, $"Field '{property.Name}' is not defined on object '{type.Name}'.");
                continue;
            }
            if (values.ContainsKey(field.Name))
            {
                errors.Add(key, $"Field '{field.Name}' is given twice.");
                continue;
            }
            if (TryNormalize(field, property.Value, out var value, out var problem)) values[field.Name] = value;
            else errors.Add(key, problem!);
        }
        errors.ThrowIfAny();
        return values;
    }

    private static bool TryNormalize(FieldInfo field, JsonElement value, out JsonNode? normalized, out string? problem)
    {
        normalized = null;
        problem = null;
        if (value.ValueKind == JsonValueKind.Null) return true;

        switch (field.Type)
        {
            case FieldType.Text when value.ValueKind == JsonValueKind.String:
                var text = value.GetString()!;
                if (text.Length > MaxTextLength)
                {
                    problem = $"Field '{field.Name}' is longer than {MaxTextLength} characters.";
                    return false;
                }
                normalized = JsonValue.Create(text);
                return true;
            case FieldType.Number when value.ValueKind == JsonValueKind.Number:
                normalized = value.TryGetDecimal(out var d) ? JsonValue.Create(d) : JsonValue.Create(value.GetDouble());
                return true;
            case FieldType.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                normalized = JsonValue.Create(value.GetBoolean());
                return true;
            case FieldType.DateTime when value.ValueKind == JsonValueKind.String:
                if (DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
                    && value.GetString()!.Length >= 10)
                {
                    normalized = JsonValue.Create(FormatDate(instant));
                    return true;
                }
                problem = $"Field '{field.Name}' is a dateTime; '{value.GetString()}' is not an ISO 8601 date and time.";
                return false;
            case FieldType.Picklist when value.ValueKind == JsonValueKind.String:
                var chosen = field.Values?.FirstOrDefault(v => string.Equals(v, value.GetString(), StringComparison.OrdinalIgnoreCase));
                if (chosen is not null)
                {
                    normalized = JsonValue.Create(chosen);
                    return true;
                }
                problem = $"Field '{field.Name}' takes one of {string.Join(", ", field.Values ?? [])}; got '{value.GetString()}'.";
                return false;
            default:
                problem = $"Field '{field.Name}' is {Article(field.TypeName)}; got {Describe(value)}.";
                return false;
        }
    }

    public static string FormatDate(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// The value as the rules engine reads it: string, decimal or double, bool, UTC DateTime, or null.
    public static object? ToRuleValue(FieldInfo? field, JsonNode? node)
    {
        if (node is not JsonValue value) return null;
        return value.GetValueKind() switch
        {
            JsonValueKind.String when field?.Type == FieldType.DateTime &&
                DateTimeOffset.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
                => instant.UtcDateTime,
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.TryGetValue<decimal>(out var d) ? d : value.GetValue<double>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };
    }

    public static IReadOnlyDictionary<string, object?> ToRuleValues(ObjectTypeInfo type, JsonObject fields)
    {
        var values = new Dictionary<string, object?>(fields.Count, StringComparer.Ordinal);
        foreach (var (name, node) in fields) values[name] = ToRuleValue(type.Field(name), node);
        return values;
    }

    /// Lower-case text of every value, for the list's search box.
    public static string SearchText(JsonObject fields)
    {
        var builder = new StringBuilder();
        foreach (var (_, node) in fields)
        {
            if (node is not JsonValue value) continue;
            if (builder.Length > 0) builder.Append(' ');
            builder.Append(value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString());
            if (builder.Length > 4000) break;
        }
        return builder.Length > 4000 ? builder.ToString(0, 4000).ToLowerInvariant() : builder.ToString().ToLowerInvariant();
    }

    /// The key a list sorts this value by: numbers by number, everything else by its lower-case text.
    public static (string? Text, double? Number) SortKey(FieldInfo field, JsonNode? node)
    {
        if (node is not JsonValue value) return (null, null);
        return value.GetValueKind() switch
        {
            JsonValueKind.Number => (null, value.TryGetValue<double>(out var n) ? n : (double)value.GetValue<decimal>()),
            JsonValueKind.String => (Truncate(value.GetValue<string>().ToLowerInvariant(), 200), null),
            _ => (value.ToJsonString(), null),
        };
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private static string Article(string typeName) => typeName switch
    {
        "text" => "text",
        "number" => "a number",
        "boolean" => "a boolean (true or false)",
        "dateTime" => "a dateTime (an ISO 8601 string)",
        _ => "a picklist (one of its values, as a string)",
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the text \"{Truncate(value.GetString()!, 40)}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Core.Rules;

public sealed record ActionContext(
    string ObjectName,
    string? RecordId,
    IReadOnlyDictionary<string, object?>? Record,
    PagerDutyFacts? Incident);

public static class ActionFiller
{
    public static JsonObject Fill(JsonObject template, ActionContext context) =>
        FillInPlace(template.DeepClone().AsObject(), context);

    // JsonNode is not thread-safe, so shared templates are immutable JsonElements and every fill gets its own nodes.
    public static JsonObject Fill(JsonElement template, ActionContext context) =>
        FillInPlace(JsonObject.Create(template) ?? throw new ArgumentException("An action must be a JSON object.", nameof(template)), context);

    // Only placeholders and a createIncident title change an action; anything else can be handed out as it is.
    public static bool NeedsFill(JsonElement template) =>
        template.GetRawText().Contains("{{", StringComparison.Ordinal)
        || (template.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == RuleActionTypes.CreateIncident);

    private static JsonObject FillInPlace(JsonObject action, ActionContext context)
    {
        FillObject(action, context);
        return FillTitle(action, context);
    }

    internal static JsonObject FillTitle(JsonObject action, ActionContext context)
    {
        if (action["type"] is JsonValue type && type.TryGetValue<string>(out var typeName) && typeName == RuleActionTypes.CreateIncident)
        {
            action["title"] = BuildTitle(action["title"], context);
        }

        return action;
    }

    public static string FillText(string text, ActionContext context)
    {
        var open = text.IndexOf("{{", StringComparison.Ordinal);
        if (open < 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length + 32);
        var position = 0;
        while (open >= 0)
        {
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                break;
            }

            var key = text.Substring(open + 2, close - open - 2);
            result.Append(text, position, open - position);
            if (Resolve(key, context) is { } value)
            {
                result.Append(value);
            }
            else
            {
                result.Append(text, open, close + 2 - open);
            }

            position = close + 2;
            open = text.IndexOf("{{", position, StringComparison.Ordinal);
        }

        result.Append(text, position, text.Length - position);
        return result.ToString();
    }

    // Null for an unknown placeholder, which stays as written; which keys are unknown does not depend on the context.
    internal static string? Resolve(string key, ActionContext context)
    {
        if (key.StartsWith("record.", StringComparison.Ordinal) && key.Length > "record.".Length)
        {
            return RecordText(key["record.".Length..], context);
        }

        var incident = context.Incident;
        return key switch
        {
            "pd.incidentId" => incident?.IncidentId ?? "",
            "pd.incidentNumber" => incident?.IncidentNumber?.ToString(CultureInfo.InvariantCulture) ?? "",
            "pd.incidentUrl" => incident?.IncidentUrl ?? "",
            "pd.incidentTitle" => incident?.IncidentTitle ?? "",
            "pd.incidentStatus" => incident?.IncidentStatus ?? "",
            "pd.urgency" => incident?.Urgency ?? "",
            "pd.priority" => incident?.Priority ?? "",
            "pd.serviceName" => incident?.ServiceName ?? "",
            "pd.eventType" => incident?.EventType ?? "",
            _ => null,
        };
    }

    internal static string RecordText(string field, ActionContext context) =>
        context.Record is not null && context.Record.TryGetValue(field, out var value) ? RuleValues.ToText(value) : "";

    private static void FillObject(JsonObject node, ActionContext context)
    {
        List<KeyValuePair<string, JsonNode?>>? replacements = null;
        foreach (var (name, child) in node)
        {
            if (FillChild(child, context) is { } replaced)
            {
                (replacements ??= []).Add(new(name, replaced));
            }
        }

        foreach (var (name, replaced) in replacements ?? [])
        {
            node[name] = replaced;
        }
    }

    private static void FillArray(JsonArray node, ActionContext context)
    {
        for (var i = 0; i < node.Count; i++)
        {
            if (FillChild(node[i], context) is { } replaced)
            {
                node[i] = replaced;
            }
        }
    }

    // Returns a replacement node for a string that held placeholders; containers are filled in place.
    private static JsonNode? FillChild(JsonNode? child, ActionContext context)
    {
        switch (child)
        {
            case JsonObject obj:
                FillObject(obj, context);
                return null;
            case JsonArray array:
                FillArray(array, context);
                return null;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String && value.TryGetValue<string>(out var text):
                var filled = FillText(text, context);
                return ReferenceEquals(filled, text) ? null : JsonValue.Create(filled);
            default:
                return null;
        }
    }

    private static string BuildTitle(JsonNode? spec, ActionContext context)
    {
        switch (spec)
        {
            case JsonObject title:
                var prefix = title["prefix"] is JsonValue p && p.TryGetValue<string>(out var prefixText) ? prefixText : null;
                var fields = title["fields"] is JsonArray array
                    ? array.Select(f => f is JsonValue v && v.TryGetValue<string>(out var name) ? name : "").ToArray()
                    : null;
                return IncidentTitle.Build(prefix ?? "", fields ?? [], context.ObjectName, context.RecordId, context.Record);
            case JsonValue value when value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text):
                return IncidentTitle.Cut(text);
            default:
                return IncidentTitle.Default(context.ObjectName, context.RecordId, context.Record);
        }
    }
}

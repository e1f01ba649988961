using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Core.Rules.Actions;

namespace Portal.Components.Pages.Rulesets;

/// The Rulesets tab's working copy of the rules document: mutable form models (never stored as such), turned into
/// the contract's JSON for validation, saving and export.
public sealed class RulesDraft
{
    public List<RulesetForm> Rulesets { get; } = [];

    public static RulesDraft From(RulesDocument document)
    {
        var draft = new RulesDraft();
        foreach (var ruleset in document.Rulesets)
        {
            draft.Rulesets.Add(new RulesetForm
            {
                Name = ruleset.Name,
                Enabled = ruleset.Enabled,
                Rules = ruleset.Rules.Select(RuleForm.From).ToList(),
            });
        }
        return draft;
    }

    public string ToJson(ObjectSchema schema)
    {
        var document = new JsonObject
        {
            ["schemaVersion"] = 1,
            ["rulesets"] = new JsonArray(Rulesets.Select(s => (JsonNode)new JsonObject
            {
                ["name"] = s.Name,
                ["enabled"] = s.Enabled,
                ["rules"] = new JsonArray(s.Rules.Select(r => (JsonNode)r.ToJson(schema)).ToArray()),
            }).ToArray()),
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public static void Move<T>(List<T> list, int index, int delta)
    {
        var target = index + delta;
        if (target < 0 || target >= list.Count) return;
        (list[index], list[target]) = (list[target], list[index]);
    }
}

public sealed class RulesetForm
{
    public string Name { get; set; } = "";
    public bool Enabled { get; set; } = true;
    public List<RuleForm> Rules { get; set; } = [];
}

public sealed class RuleForm
{
    public string Name { get; set; } = "";
    public string Object { get; set; } = "Case";
    public string RunOn { get; set; } = RuleRunOn.RecordCreateOrUpdate;
    public string When { get; set; } = RuleWhen.All;
    public string ExecuteFor { get; set; } = RuleExecuteFor.AllLinked;
    public List<ConditionForm> Conditions { get; set; } = [];
    public List<ActionForm> Actions { get; set; } = [];
    /// A shadow rule (contract section 3.1) is evaluated and logged, and acts on nothing.
    public bool Shadow { get; set; }

    public bool IsRecordRule => RunOn == RuleRunOn.RecordCreateOrUpdate;

    public static RuleForm From(Rule rule) => new()
    {
        Name = rule.Name,
        Object = rule.Object,
        RunOn = rule.RunOn,
        When = rule.When,
        ExecuteFor = rule.ExecuteFor,
        Conditions = rule.Conditions.Select(ConditionForm.From).ToList(),
        Actions = rule.Actions.Select(ActionForm.From).ToList(),
        Shadow = rule.IsShadow,
    };

    public RuleForm Clone() => new()
    {
        Name = Name, Object = Object, RunOn = RunOn, When = When, ExecuteFor = ExecuteFor, Shadow = Shadow,
        Conditions = Conditions.Select(c => new ConditionForm { Field = c.Field, Operator = c.Operator, Value = c.Value, Group = c.Group }).ToList(),
        Actions = Actions.Select(a => a.Clone()).ToList(),
    };

    public JsonObject ToJson(ObjectSchema schema)
    {
        schema.TryGetObject(Object, out var type);
        var json = new JsonObject
        {
            ["name"] = Name,
            ["object"] = Object,
            ["runOn"] = RunOn,
            ["when"] = When,
            ["conditions"] = new JsonArray(Conditions.Select(c => (JsonNode)c.ToJson(type)).ToArray()),
            ["executeFor"] = ExecuteFor,
            ["actions"] = new JsonArray(Actions.Select(a => (JsonNode)a.ToJson()).ToArray()),
        };
        // left out for a live rule, as the contract's documents have it
        if (Shadow) json["mode"] = RuleMode.Shadow;
        return json;
    }

    public string Summary => $"{Object} · {(IsRecordRule ? "record created or changed" : "PagerDuty incident event")} · " +
        $"{(Conditions.Count == 0 ? "always" : $"{When} of {Conditions.Count} condition{(Conditions.Count == 1 ? "" : "s")}")} · " +
        $"{string.Join(", ", Actions.Select(a => RuleActionCatalog.LabelOf(a.Type, Object)))}";
}

public sealed class ConditionForm
{
    public string Field { get; set; } = "";
    public string Operator { get; set; } = RuleOperators.EqualTo;
    /// The value as typed; a comma-separated list for `in` and `notIn`.
    public string? Value { get; set; }

    /// A group of conditions (contract section 3.3), kept whole as it was read: the editor shows it and keeps it, and
    /// it is edited in Import / Export.
    public RuleCondition? Group { get; init; }

    /// "any of: Origin equals Phone; Subject contains outage".
    public string GroupSummary => Group is { } group ? Summarize(group) : "";

    private static string Summarize(RuleCondition condition) => condition.Conditions is { } children
        ? $"{(condition.When == RuleWhen.Any ? "any" : "all")} of ({string.Join("; ", children.Select(Summarize))})"
        : $"{condition.Field} {condition.Operator}{(condition.Value is { } v ? " " + v.GetRawText() : "")}";

    public static ConditionForm From(RuleCondition condition) => condition.IsGroup ? new() { Group = condition } : new()
    {
        Field = condition.Field,
        Operator = condition.Operator,
        Value = condition.Value is not { } value ? null
            : value.ValueKind == JsonValueKind.Array ? string.Join(", ", value.EnumerateArray().Select(Text))
            : Text(value),
    };

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    public JsonObject ToJson(ObjectType? type)
    {
        if (Group is { } group) return JsonSerializer.SerializeToNode(group, RulesDocumentJson.Options)!.AsObject();
        var json = new JsonObject { ["field"] = Field, ["operator"] = Operator };
        if (RuleOperators.TakesNoValue(Operator)) return json;
        var isNumber = type is not null && type.TryGetField(Field, out var field) && field.Type == FieldType.Number;
        if (RuleOperators.TakesList(Operator))
            json["value"] = new JsonArray((Value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(v => Scalar(v, isNumber)).ToArray());
        else
            json["value"] = Scalar(Value ?? "", isNumber || (RuleOperators.IsOrdering(Operator) && IsNumber(Value)));
        return json;
    }

    private static bool IsNumber(string? text) => decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out _);

    /// The operators whose value is one instant when the field is a dateTime: these get the date and time pickers.
    public static bool TakesInstant(string op) => RuleOperators.IsOrdering(op) || op is RuleOperators.EqualTo or RuleOperators.NotEquals
        or RuleOperators.ChangedTo or RuleOperators.ChangedFrom;

    /// The value as a UTC instant (what the pickers show); null when it is not an ISO 8601 date.
    public DateTime? ValueUtc => Value is { } text && RuleValues.TryParseDate(text, out var instant) ? instant.UtcDateTime : null;

    /// A day picked: kept with the time already chosen (midnight UTC when none), written as a record's dateTime is.
    public void SetDate(DateTime? day) =>
        Value = day is { } d ? RecordValues.FormatDate(new DateTimeOffset(d.Date + (ValueUtc?.TimeOfDay ?? TimeSpan.Zero), TimeSpan.Zero)) : null;

    /// A time of day picked (UTC) for the day already chosen.
    public void SetTime(TimeSpan? time)
    {
        if (ValueUtc is { } current) Value = RecordValues.FormatDate(new DateTimeOffset(current.Date + (time ?? TimeSpan.Zero), TimeSpan.Zero));
    }

    private static JsonNode? Scalar(string text, bool asNumber) =>
        asNumber && decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(text);
}

/// An action as type and text parameters, as its type declares them (`RuleActionCatalog`): list parameters (ids) are
/// comma-separated, numbers written as numbers, `title` and `fields` have their own shape.
public sealed class ActionForm
{
    public string Type { get; set; } = RuleActionTypes.CreateIncident;
    public Dictionary<string, string?> Parameters { get; set; } = new(StringComparer.Ordinal);
    public string? TitlePrefix { get; set; }
    public List<string> TitleFields { get; set; } = [];
    public bool HasTitle { get; set; }
    /// `createRecord`'s or `setIncidentCustomFields`' fields as `Name = value` lines.
    public string? RecordFields { get; set; }

    public ActionForm Clone() => new()
    {
        Type = Type, Parameters = new Dictionary<string, string?>(Parameters, StringComparer.Ordinal), TitlePrefix = TitlePrefix,
        TitleFields = [.. TitleFields], HasTitle = HasTitle, RecordFields = RecordFields,
    };

    public static ActionForm From(JsonObject action)
    {
        var form = new ActionForm { Type = action["type"]?.GetValue<string>() ?? "" };
        foreach (var (name, value) in action)
        {
            switch (name)
            {
                case "type":
                    break;
                case "title" when value is JsonObject title:
                    form.HasTitle = true;
                    form.TitlePrefix = title["prefix"]?.GetValue<string>();
                    form.TitleFields = (title["fields"] as JsonArray ?? []).Select(f => f?.GetValue<string>() ?? "").ToList();
                    break;
                case "fields" when value is JsonObject fields:
                    form.RecordFields = string.Join("\n", fields.Select(f => $"{f.Key} = {Text(f.Value)}"));
                    break;
                default:
                    form.Parameters[name] = value is JsonArray list ? string.Join(", ", list.Select(Text)) : Text(value);
                    break;
            }
        }
        return form;
    }

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = Type };
        var kinds = RuleActionCatalog.Find(Type)?.Parameters.ToDictionary(p => p.Name, p => p.Kind) ?? [];
        foreach (var (name, value) in Parameters)
        {
            if (string.IsNullOrWhiteSpace(value)) continue;
            json[name] = kinds.GetValueOrDefault(name) switch
            {
                ActionParameterKind.TextList => new JsonArray(value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
                // a whole number as a number; anything else as typed, for the validator to name
                ActionParameterKind.Number when int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number,
                _ => JsonValue.Create(value.Trim()),
            };
        }
        if (Type == RuleActionTypes.CreateIncident && HasTitle)
        {
            json["title"] = new JsonObject
            {
                ["prefix"] = TitlePrefix ?? "",
                ["fields"] = new JsonArray(TitleFields.Where(f => !string.IsNullOrEmpty(f)).Select(f => (JsonNode)JsonValue.Create(f)).ToArray()),
            };
        }
        if (TakesFieldLines(Type)) json["fields"] = FieldLines(RecordFields);
        return json;
    }

    /// The types whose `fields` the editor takes as `Name = value` lines: `createRecord` (the record's fields) and
    /// `setIncidentCustomFields` (PagerDuty's custom fields).
    public static bool TakesFieldLines(string type) => type is RuleActionTypes.CreateRecord or RuleActionTypes.SetIncidentCustomFields;

    /// `RecordFields` as (field, value) rows, for the editor's field pick-lists; writing a row rewrites the lines.
    public IReadOnlyList<(string Field, string Value)> FieldRows =>
        [.. FieldLines(RecordFields).Select(f => (f.Key, f.Value?.GetValue<string>() ?? ""))];

    public void SetFieldRow(int row, string field, string value) => WriteRows(rows => rows[row] = (field, value));

    public void AddFieldRow(string field) => WriteRows(rows => rows.Add((field, "")));

    public void RemoveFieldRow(int row) => WriteRows(rows => rows.RemoveAt(row));

    private void WriteRows(Action<List<(string Field, string Value)>> change)
    {
        var rows = FieldRows.ToList();
        change(rows);
        RecordFields = string.Join("\n", rows.Where(r => r.Field.Length > 0).Select(r => $"{r.Field} = {r.Value}"));
    }

    /// `Name = value` lines as an object of texts; a line without `=` names a field with an empty value.
    public static JsonObject FieldLines(string? lines)
    {
        var fields = new JsonObject();
        foreach (var line in (lines ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = line.IndexOf('=');
            if (equals <= 0) fields[line] = "";
            else fields[line[..equals].Trim()] = line[(equals + 1)..].Trim();
        }
        return fields;
    }

    /// The parameters the editor shows as fields for an action type, in its type's order (contract section 3.4).
    public static IReadOnlyList<ActionParameter> EditorParametersOf(string type) =>
        RuleActionCatalog.Find(type) is { } kind ? [.. kind.EditorParameters] : [];
}

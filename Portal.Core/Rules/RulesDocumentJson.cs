using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Portal.Core.Rules;

public sealed class RulesDocumentFormatException(string message, string path, Exception? inner = null)
    : FormatException(message, inner)
{
    public string Path { get; } = path;
}

public static class RulesDocumentJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static RulesDocument Parse(string json)
    {
        RulesDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<RulesDocument>(json, Options);
        }
        catch (JsonException ex)
        {
            var path = ex.Path ?? "$";
            var position = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : "";
            throw new RulesDocumentFormatException(
                $"The rules document is not valid JSON for this shape at '{path}'{position}: {FirstSentence(ex.Message)}", path, ex);
        }

        if (document is null)
        {
            throw new RulesDocumentFormatException("The rules document is empty (JSON null at '$').", "$");
        }

        RejectNulls(document);
        return document;
    }

    public static string Serialize(RulesDocument document) => JsonSerializer.Serialize(document, Options);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
            NumberHandling = JsonNumberHandling.Strict,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { WriteGroupsAsGroups } },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    // A group is written as `{"when", "conditions"}`, never with the empty `field` and `operator` of a field test.
    private static void WriteGroupsAsGroups(JsonTypeInfo info)
    {
        if (info.Type != typeof(RuleCondition)) return;
        foreach (var property in info.Properties.Where(p => p.Name is "field" or "operator"))
        {
            property.ShouldSerialize = (condition, _) => !((RuleCondition)condition).IsGroup;
        }
    }

    // System.Text.Json happily puts null into non-nullable properties and list items; the engine must never see them.
    private static void RejectNulls(RulesDocument document)
    {
        Require(document.Rulesets, "$.rulesets");
        for (var s = 0; s < document.Rulesets.Count; s++)
        {
            var rulesetPath = $"$.rulesets[{s}]";
            var ruleset = Require(document.Rulesets[s], rulesetPath);
            Require(ruleset.Name, rulesetPath + ".name");
            Require(ruleset.Rules, rulesetPath + ".rules");
            for (var r = 0; r < ruleset.Rules.Count; r++)
            {
                var rulePath = $"{rulesetPath}.rules[{r}]";
                var rule = Require(ruleset.Rules[r], rulePath);
                Require(rule.Name, rulePath + ".name");
                Require(rule.Object, rulePath + ".object");
                Require(rule.RunOn, rulePath + ".runOn");
                Require(rule.When, rulePath + ".when");
                Require(rule.ExecuteFor, rulePath + ".executeFor");
                Require(rule.Conditions, rulePath + ".conditions");
                Require(rule.Actions, rulePath + ".actions");
                RequireConditions(rule.Conditions, rulePath);

                for (var a = 0; a < rule.Actions.Count; a++)
                {
                    Require(rule.Actions[a], $"{rulePath}.actions[{a}]");
                }
            }
        }
    }

    private static void RequireConditions(IReadOnlyList<RuleCondition> conditions, string path)
    {
        for (var c = 0; c < conditions.Count; c++)
        {
            var at = $"{path}.conditions[{c}]";
            var condition = Require(conditions[c], at);
            Require(condition.Field, at + ".field");
            Require(condition.Operator, at + ".operator");
            if (condition.Conditions is { } group) RequireConditions(group, at);
        }
    }

    private static T Require<T>(T? value, string path) where T : class =>
        value ?? throw new RulesDocumentFormatException($"The rules document has null at '{path}', where a value is required.", path);

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}

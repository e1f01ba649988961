using System.Text.Json;
using System.Text.Json.Serialization;

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
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
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
                for (var c = 0; c < rule.Conditions.Count; c++)
                {
                    var condition = Require(rule.Conditions[c], $"{rulePath}.conditions[{c}]");
                    Require(condition.Field, $"{rulePath}.conditions[{c}].field");
                    Require(condition.Operator, $"{rulePath}.conditions[{c}].operator");
                }

                for (var a = 0; a < rule.Actions.Count; a++)
                {
                    Require(rule.Actions[a], $"{rulePath}.actions[{a}]");
                }
            }
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

using System.Text.Json;
using Portal.Core.Rules;

namespace Portal.Tests.Rules;

internal static class RuleTestKit
{
    public static ObjectType Opportunity { get; } = new("Opportunity",
    [
        new FieldDefinition("Name", FieldType.Text),
        new FieldDefinition("Amount", FieldType.Number),
        new FieldDefinition("CloseDate", FieldType.DateTime),
        new FieldDefinition("IsWon", FieldType.Boolean),
        new FieldDefinition("StageName", FieldType.Picklist, ["Prospecting", "Closed Won"]),
    ]);

    public static ObjectSchema Schema { get; } = ObjectSchema.BuiltIn(Opportunity);

    public static RulesDocument Document(string rulesJson, string ruleset = "Test", bool enabled = true) =>
        RulesDocumentJson.Parse($$"""
            {"schemaVersion": 1, "rulesets": [{"name": "{{ruleset}}", "enabled": {{(enabled ? "true" : "false")}}, "rules": {{rulesJson}}}]}
            """);

    public static string Rule(
        string name = "R",
        string obj = "Case",
        string runOn = RuleRunOn.RecordCreateOrUpdate,
        string when = "all",
        string conditions = "[]",
        string executeFor = "allLinked",
        string actions = "[]") =>
        $$"""
        {"name": "{{name}}", "object": "{{obj}}", "runOn": "{{runOn}}", "when": "{{when}}",
         "conditions": {{conditions}}, "executeFor": "{{executeFor}}", "actions": {{actions}}}
        """;

    public static string Condition(string field, string op, string? valueJson = null) =>
        valueJson is null
            ? $$"""{"field": "{{field}}", "operator": "{{op}}"}"""
            : $$"""{"field": "{{field}}", "operator": "{{op}}", "value": {{valueJson}}}""";

    public static RulesSnapshot Compile(RulesDocument document, long version = 1) =>
        RulesSnapshot.Compile(document, Schema, version);

    // Evaluates every way the engine can and insists they agree, so each behaviour test also checks the fast path and the oracle.
    public static EvaluationResult Evaluate(RulesDocument document, RuleEvent e)
    {
        var snapshot = Compile(document);
        var traced = snapshot.Evaluate(e);
        var fast = snapshot.EvaluateMatches(e);
        var oracle = RulesInterpreter.Evaluate(document, e, snapshot.Version);

        Assert.Equal(Describe(oracle), Describe(traced));
        Assert.Equal(
            traced.Matched.Select(t => $"{t.Ruleset}/{t.Rule}:{Actions(t.Actions)}"),
            fast.Select(m => $"{m.Ruleset}/{m.Rule}:{Actions(m.Actions)}"));
        return traced;
    }

    public static bool ConditionHolds(string conditionJson, RuleEvent e, string obj = "Case")
    {
        var document = Document($"[{Rule(obj: obj, conditions: $"[{conditionJson}]")}]");
        return Assert.Single(Evaluate(document, e).Matches).Matched;
    }

    public static RuleEvent Update(object?[] oldFields, object?[] newFields, string obj = "Case") =>
        RuleEvent.ForRecord(obj, isInsert: false, Fields(oldFields), Fields(newFields), "rec-1");

    public static RuleEvent Insert(params object?[] fields) =>
        RuleEvent.ForRecord("Case", isInsert: true, null, Fields(fields), "rec-1");

    public static RuleEvent Record(string obj, params object?[] fields) =>
        RuleEvent.ForRecord(obj, isInsert: false, Fields(fields), Fields(fields), "rec-1");

    public static RuleEvent Case(params object?[] fields) => Record("Case", fields);

    public static IReadOnlyDictionary<string, object?> Fields(params object?[] pairs)
    {
        var fields = new Dictionary<string, object?>();
        for (var i = 0; i < pairs.Length; i += 2)
        {
            fields[(string)pairs[i]!] = pairs[i + 1];
        }

        return fields;
    }

    public static string Describe(EvaluationResult result) => string.Join("\n", result.Matches.Select(Describe));

    public static string Describe(RuleTrace trace) =>
        $"{trace.Ruleset}/{trace.Rule} matched={trace.Matched} skipped={trace.SkippedReason} " +
        $"conditions=[{string.Join("; ", trace.Conditions.Select(Describe))}] actions={Actions(trace.Actions)}";

    /// A condition's trace, a group's with its own conditions' (whatever list holds them).
    public static string Describe(ConditionTrace condition) => condition.Conditions is { } group
        ? $"group {condition.When} result={condition.Result} [{string.Join("; ", group.Select(Describe))}]"
        : condition.ToString();

    public static string Actions(IEnumerable<System.Text.Json.Nodes.JsonObject> actions) =>
        "[" + string.Join(",", actions.Select(a => a.ToJsonString(new JsonSerializerOptions { WriteIndented = false }))) + "]";
}

using System.Text.Json;
using Portal.Components.Pages.Rulesets;
using Portal.Core.Rules;
using Portal.Core.Rulesets;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Rules.RuleTestKit;

namespace Portal.Tests.Rules;

/// Condition groups (contract section 3.3): "Priority is High and (Origin is Phone or the subject contains outage)".
public sealed class ConditionGroupTests
{
    private const string PhoneOrOutage = """{"when": "any", "conditions": [{"field": "Origin", "operator": "equals", "value": "Phone"}, {"field": "Subject", "operator": "contains", "value": "outage"}]}""";

    private static string HighAnd(string group) => $$"""
        {"schemaVersion": 1, "rulesets": [{"name": "SFDC > PD", "enabled": true, "rules": [{{Rule(name: "Page", conditions: $"[{Condition("Priority", "equals", "\"High\"")}, {group}]")}}]}]}
        """;

    private static IReadOnlyList<string> Errors(string condition) =>
        new RulesDocumentValidator(Schema).Validate(Document($"[{Rule(name: "Page", conditions: $"[{condition}]")}]", "SFDC > PD"))
            .Errors.Select(e => e.ErrorMessage).ToList();

    private static RuleEvent Case(string priority, string origin, string subject) =>
        RuleEvent.ForRecord("Case", true, null, new Dictionary<string, object?> { ["Priority"] = priority, ["Origin"] = origin, ["Subject"] = subject }, "rec-1", null, true);

    [Theory]
    [InlineData("High", "Phone", "Refund question", true)]
    [InlineData("High", "Web", "Checkout outage", true)]
    [InlineData("High", "Web", "Refund question", false)]
    [InlineData("Low", "Phone", "Checkout outage", false)]
    public void AGroupIsOneConditionOfItsRuleInTheCompiledEngineAsInTheInterpreter(string priority, string origin, string subject, bool matches)
    {
        var document = RulesDocumentJson.Parse(HighAnd(PhoneOrOutage));
        var e = Case(priority, origin, subject);
        Assert.Equal(matches, RulesSnapshot.Compile(document, Schema, 1).EvaluateMatches(e).Count == 1);
        Assert.Equal(matches, RulesInterpreter.Evaluate(document, e).Matched.Any());
    }

    [Fact]
    public void TheTraceShowsTheGroupWithItsResultAndEachOfItsConditions()
    {
        var trace = RulesSnapshot.Compile(RulesDocumentJson.Parse(HighAnd(PhoneOrOutage)), Schema, 1).Evaluate(Case("High", "Web", "Checkout outage")).Matches.Single();
        var group = trace.Conditions[1];
        Assert.Equal(("any", true), (group.When, group.Result));
        Assert.Equal([("Origin", false), ("Subject", true)], group.Conditions!.Select(c => (c.Field, c.Result)));
    }

    [Fact]
    public void AGroupIsWrittenBackAsItWasReadWithoutTheEmptyFieldOfAFieldTest()
    {
        var json = HighAnd(PhoneOrOutage);
        var written = RulesDocumentJson.Serialize(RulesDocumentJson.Parse(json));
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(json).RootElement, JsonDocument.Parse(written).RootElement), written);
        Assert.DoesNotContain("\"field\": \"\"", written);
    }

    [Fact]
    public void GroupsNestThreeLevelsAndNoDeeper()
    {
        string Nest(int levels) => levels == 0 ? Condition("Priority", "equals", "\"High\"") : $$"""{"when": "all", "conditions": [{{Nest(levels - 1)}}]}""";
        Assert.Empty(Errors(Nest(3)));
        Assert.Equal(["Ruleset 'SFDC > PD', rule 'Page': condition 1.1.1.1 is a group nested 4 levels deep; at most 3 are allowed."], Errors(Nest(4)));
    }

    [Theory]
    [InlineData("""{"when": "either", "conditions": [{"field": "Origin", "operator": "equals", "value": "Phone"}]}""", "condition 1 is a group whose 'when' is 'either'; use 'all' or 'any'.")]
    [InlineData("""{"when": "any", "conditions": []}""", "condition 1 is an empty group; give it conditions or remove it.")]
    [InlineData("""{"when": "any", "field": "Origin", "operator": "equals", "value": "Phone", "conditions": [{"field": "Origin", "operator": "isBlank"}]}""",
        "condition 1 is a group ('conditions') and a field test ('field', 'operator', 'value') at once; make it one or the other.")]
    [InlineData("""{"when": "any", "conditions": [{"field": "Orign", "operator": "equals", "value": "Phone"}]}""", "condition 1.1 uses unknown field 'Orign' on object 'Case'.")]
    [InlineData("""{"field": "Origin", "operator": "equals", "value": "Phone", "when": "any"}""", "condition 1 has 'when' but no 'conditions': a group needs both.")]
    public void NamesWhatIsWrongWithAGroup(string condition, string message) =>
        Assert.Equal([$"Ruleset 'SFDC > PD', rule 'Page': {message}"], Errors(condition));

    [Fact]
    public void TheRuleEditorKeepsAGroupAsItWasRead()
    {
        var document = RulesDocumentJson.Parse(HighAnd(PhoneOrOutage));
        var draft = RulesDraft.From(document);
        var group = draft.Rulesets[0].Rules[0].Conditions[1];
        Assert.Equal("any of (Origin equals \"Phone\"; Subject contains \"outage\")", group.GroupSummary);
        var again = RulesDocumentJson.Parse(draft.ToJson(Schema));
        Assert.Equal(RulesDocumentJson.Serialize(document), RulesDocumentJson.Serialize(again));
    }

    [Fact]
    public async Task TheDryRunShowsEachGroupWithItsResult()
    {
        await using var db = await TestDatabase.WithPagerDutyAsync();
        var request = JsonSerializer.SerializeToElement(new
        {
            document = JsonDocument.Parse(HighAnd(PhoneOrOutage)).RootElement,
            @event = new { kind = "record", @object = "Case", isInsert = true, @new = new { Priority = "High", Origin = "Phone", Subject = "Refund" } },
        });
        var result = await db.Get<RulesDryRun>().RunAsync(request);
        var group = result.Matches.Single().Conditions[1];
        Assert.Equal(("any", true), (group.When, group.Result));
        Assert.Equal([true, false], group.Conditions!.Select(c => c.Result));
        Assert.Contains("\"when\":\"any\"", JsonSerializer.Serialize(group, JsonSerializerOptions.Web));
    }
}

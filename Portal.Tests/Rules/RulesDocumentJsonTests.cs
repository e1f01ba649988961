using System.Text.Json.Nodes;
using Portal.Core.Rules;

namespace Portal.Tests.Rules;

public sealed class RulesDocumentJsonTests
{
    private static string ContractExample => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Rules", "TestData", "contract-example.json"));

    [Fact]
    public void RoundTripsTheContractExample()
    {
        var document = RulesDocumentJson.Parse(ContractExample);

        var serialized = RulesDocumentJson.Serialize(document);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ContractExample), JsonNode.Parse(serialized)), serialized);
        Assert.Equal(serialized, RulesDocumentJson.Serialize(RulesDocumentJson.Parse(serialized)));
    }

    [Fact]
    public void ContractExampleValidatesClean()
    {
        var result = new RulesDocumentValidator(ObjectSchema.BuiltIn()).Validate(RulesDocumentJson.Parse(ContractExample));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Fact]
    public void ReadsConditionValuesOfEveryShape()
    {
        var document = RulesDocumentJson.Parse("""
            {"schemaVersion": 1, "rulesets": [{"name": "S", "enabled": true, "rules": [{"name": "R", "object": "Case",
             "runOn": "recordCreateOrUpdate", "when": "any", "executeFor": "newOnly", "actions": [],
             "conditions": [{"field": "A", "operator": "equals", "value": "x"}, {"field": "A", "operator": "greaterThan", "value": 1.5},
                            {"field": "A", "operator": "equals", "value": true}, {"field": "A", "operator": "in", "value": ["a", 1]},
                            {"field": "A", "operator": "isBlank"}]}]}]}
            """);

        var conditions = document.Rulesets[0].Rules[0].Conditions;

        Assert.Equal(["x", "1.5", "true", """["a", 1]""", null], conditions.Select(c => RuleValues.DisplayExpected(c.Value)));
        Assert.Null(conditions[4].Value);
        Assert.DoesNotContain("\"value\": null", RulesDocumentJson.Serialize(document));
    }

    [Fact]
    public void WritesCamelCaseAndIndented()
    {
        var json = RulesDocumentJson.Serialize(new RulesDocument { Rulesets = [new Ruleset { Name = "S" }] });

        Assert.Equal("""
            {
              "schemaVersion": 1,
              "rulesets": [
                {
                  "name": "S",
                  "enabled": true,
                  "rules": []
                }
              ]
            }
            """.ReplaceLineEndings(), json.ReplaceLineEndings());
    }

    [Theory]
    [InlineData("""{"schemaVersion": 1, "rulesets": [{"name": "S", "enabled": "yes", "rules": []}]}""", "$.rulesets[0].enabled")]
    [InlineData("""{"schemaVersion": 1, "rulesets": [{"name": "S", "rules": [{"name": "R", "conditions": [{"field": "A", "operater": "equals"}]}]}]}""", "$.rulesets[0].rules[0].conditions[0].operater")]
    [InlineData("""{"schemaVersion": 1, "rulesets": [{"name": "S", "rules": [{"name": "R", "actions": [42]}]}]}""", "$.rulesets[0].rules[0].actions[0]")]
    [InlineData("""{"schemaVersion": 1, "rulesets": [{"name": "S", "rules": [{"name": "R", "actions": [null]}]}]}""", "$.rulesets[0].rules[0].actions[0]")]
    [InlineData("""{"schemaVersion": 1, "rulesets": [{"name": "S", "rules": null}]}""", "$.rulesets[0].rules")]
    [InlineData("""{"schemaVersion": 1, "rulesets": [{"name": "S", "rules": [""", "$.rulesets[0].rules[0]")]
    public void NamesTheJsonPathOfMalformedInput(string json, string path)
    {
        var error = Assert.Throws<RulesDocumentFormatException>(() => RulesDocumentJson.Parse(json));

        Assert.Equal(path, error.Path);
        Assert.Contains($"'{path}'", error.Message);
    }

    [Fact]
    public void RefusesJsonNull()
    {
        var error = Assert.Throws<RulesDocumentFormatException>(() => RulesDocumentJson.Parse("null"));

        Assert.Equal("$", error.Path);
    }
}

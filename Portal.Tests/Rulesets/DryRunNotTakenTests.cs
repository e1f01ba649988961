using System.Text.Json;
using Portal.Core.Rulesets;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Rulesets;

/// The dry-run says what live rules would leave out and why (issue #19 item 4), and which matches are shadow rules.
public sealed class DryRunNotTakenTests
{
    private static string Rule(string name, string serviceId, string? mode = null) => $$"""
        {"name":"{{name}}","object":"Case","runOn":"recordCreateOrUpdate","when":"all","executeFor":"allLinked"{{(mode is null ? "" : $",\"mode\":\"{mode}\"")}},
         "conditions":[{"field":"Priority","operator":"equals","value":"High"}],"actions":[{"type":"createIncident","serviceId":"{{serviceId}}"}]}
        """;

    private static JsonElement Request(params string[] rules) => JsonSerializer.SerializeToElement(new
    {
        document = JsonDocument.Parse($$"""{"schemaVersion":1,"rulesets":[{"name":"Main","enabled":true,"rules":[{{string.Join(",", rules)}}]}]}""").RootElement,
        @event = new { kind = "record", @object = "Case", isInsert = true, @new = new { Subject = "Checkout down", Priority = "High" } },
    });

    [Fact]
    public async Task ASecondCreateIncidentIsShownAsNotTakenWithTheReasonAndAShadowRuleNeitherTakesNorBlocksOne()
    {
        await using var db = await TestDatabase.WithPagerDutyAsync();
        var result = await db.Get<RulesDryRun>().RunAsync(Request(Rule("Watch", "PSHADOW", "shadow"), Rule("Checkout", "PNE3JZM"), Rule("Payments", "PWIXJZS")));

        Assert.Equal(["Watch", "Checkout", "Payments"], result.Matches.Where(m => m.Matched).Select(m => m.Rule));
        Assert.Equal([true, false, false], result.Matches.Select(m => m.Shadow));
        Assert.Null(result.Matches[0].NotTaken); // a shadow rule's actions are only logged: it takes nothing, so it blocks nothing
        Assert.Null(result.Matches[1].NotTaken);
        var skipped = Assert.Single(result.Matches[2].NotTaken!);
        Assert.Equal(("createIncident", "another rule already creates the incident for the record in this change"), (skipped.Type, skipped.Reason));
        Assert.Contains("\"notTaken\":[{\"type\":\"createIncident\"", JsonSerializer.Serialize(result, JsonSerializerOptions.Web));
    }
}

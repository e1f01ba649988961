using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Rulesets;

public class RulesetsApiTests : IDisposable
{
    private readonly PortalAppFactory _factory;

    public RulesetsApiTests() : this(new PortalAppFactory()) { }

    /// Around a given portal (one on PostgreSQL); a test class has one public constructor.
    protected RulesetsApiTests(PortalAppFactory factory) => _factory = factory;

    public void Dispose() => _factory.Dispose();

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task StartsEmptyThenRoundTripsTheContractExample()
    {
        using var manager = _factory.CreateClientAs(Roles.Manager);
        var empty = await manager.GetFromJsonAsync<JsonElement>("/api/rulesets");
        Assert.Equal(1, empty.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(0, empty.GetProperty("rulesets").GetArrayLength());

        using var put = await manager.PutAsync("/api/rulesets", Body(RulesWiringTests.ContractExample));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("1", put.Headers.GetValues("Portal-Rules-Version").Single());

        var saved = await manager.GetFromJsonAsync<JsonElement>("/api/rulesets");
        var expected = JsonDocument.Parse(RulesWiringTests.ContractExample).RootElement;
        Assert.True(JsonElement.DeepEquals(expected, saved), saved.ToString());
    }

    [Fact]
    public async Task RefusesAnInvalidDocumentNamingTheRuleAndChangesNothing()
    {
        using var manager = _factory.CreateClientAs(Roles.Manager);
        (await manager.PutAsync("/api/rulesets", Body(RulesWiringTests.ContractExample))).Dispose();

        var bad = RulesWiringTests.ContractExample.Replace("\"notEquals\"", "\"differsFrom\"");
        using var response = await manager.PutAsync("/api/rulesets", Body(bad));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ReadAsync(response);
        var message = problem.GetProperty("detail").GetString()!;
        Assert.Contains("'SFDC > PD'", message);
        Assert.Contains("'Page support for high-priority cases'", message);
        Assert.Contains("differsFrom", message);

        using var notJson = await manager.PutAsync("/api/rulesets", Body("{\"schemaVersion\":1,"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);

        var current = await manager.GetFromJsonAsync<JsonElement>("/api/rulesets");
        Assert.Equal("notEquals", current.GetProperty("rulesets")[0].GetProperty("rules")[0].GetProperty("conditions")[1].GetProperty("operator").GetString());
        var versions = await manager.GetFromJsonAsync<JsonElement>("/api/rulesets/versions");
        Assert.Equal(1, versions.GetProperty("versions").GetArrayLength());
    }

    [Fact]
    public async Task DryRunsARecordEventWithItsTraceAndTheBuiltTitle()
    {
        using var manager = _factory.CreateClientAs(Roles.Manager);
        (await manager.PutAsync("/api/rulesets", Body(RulesWiringTests.ContractExample))).Dispose();
        using var auditor = _factory.CreateClientAs(Roles.Auditor);
        using var response = await auditor.PostAsync("/api/rulesets/dry-run", Body("""
            {"event":{"kind":"record","object":"Case","isInsert":true,"old":{},
                      "new":{"CaseNumber":"00001026","Subject":"Checkout down","Priority":"High","Status":"New"}}}
            """));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var match = (await ReadAsync(response)).GetProperty("matches").EnumerateArray().Single();
        Assert.Equal("SFDC > PD", match.GetProperty("ruleset").GetString());
        Assert.True(match.GetProperty("matched").GetBoolean());
        var first = match.GetProperty("conditions")[0];
        Assert.Equal(("Priority", "equals", "High", "High", true),
            (first.GetProperty("field").GetString(), first.GetProperty("operator").GetString(), first.GetProperty("expected").GetString(),
             first.GetProperty("actual").GetString(), first.GetProperty("result").GetBoolean()));
        var action = match.GetProperty("actions")[0];
        Assert.Equal("createIncident", action.GetProperty("type").GetString());
        Assert.Equal("Case 00001026 Checkout down", action.GetProperty("title").GetString());
    }

    [Fact]
    public async Task DryRunsADraftDocumentAgainstACapturedWebhook()
    {
        var webhook = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Webhooks", "TestData", "aldaviva.incident.triggered.json"));
        using var user = _factory.CreateClientAs(Roles.User);
        using var response = await user.PostAsync("/api/rulesets/dry-run", Body($$$"""
            {"event":{"kind":"pagerduty","webhook":{{{webhook}}}},
             "document":{"schemaVersion":1,"rulesets":[{"name":"PD > SFDC","enabled":true,"rules":[
               {"name":"Case for low urgency","object":"Case","runOn":"pagerDutyIncidentCreateOrUpdate","when":"all",
                "conditions":[{"field":"pd.urgency","operator":"equals","value":"low"},{"field":"pd.serviceName","operator":"contains","value":"tester"}],
                "executeFor":"newOnly","actions":[{"type":"createRecord","fields":{"Subject":"PD #{{pd.incidentNumber}}: {{pd.incidentTitle}}"}}]}]}]}}
            """));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var match = (await ReadAsync(response)).GetProperty("matches").EnumerateArray().Single();
        Assert.True(match.GetProperty("matched").GetBoolean());
        Assert.Equal("PD #37: Test", match.GetProperty("actions")[0].GetProperty("fields").GetProperty("Subject").GetString());
        Assert.Equal(0, (await user.GetFromJsonAsync<JsonElement>("/api/rulesets")).GetProperty("rulesets").GetArrayLength());
    }

    [Fact]
    public async Task RefusesADryRunWithoutAnEvent()
    {
        using var user = _factory.CreateClientAs(Roles.User);
        using var response = await user.PostAsync("/api/rulesets/dry-run", Body("""{"evnt":{}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await ReadAsync(response)).GetProperty("errors").TryGetProperty("event", out _));
    }

    // A dry-run of its own document with `count` rules, each one `matches` condition on the case's Subject.
    private static string CostlyDryRun(int count, string pattern, string subject) => JsonSerializer.Serialize(new
    {
        @event = new { kind = "record", @object = "Case", isInsert = false, old = new { }, @new = new { Subject = subject } },
        document = new
        {
            schemaVersion = 1,
            rulesets = new[]
            {
                new
                {
                    name = "Costly", enabled = true,
                    rules = Enumerable.Range(1, count).Select(i => new
                    {
                        name = $"r{i}", @object = "Case", runOn = "recordCreateOrUpdate", when = "all", executeFor = "allLinked",
                        conditions = new[] { new { field = "Subject", @operator = "matches", value = pattern } },
                        actions = Array.Empty<object>(),
                    }),
                },
            },
        },
    });

    [Fact]
    public async Task RefusesADryRunOfADocumentWithMoreMatchesConditionsThanTheLimit()
    {
        using var auditor = _factory.CreateClientAs(Roles.Auditor);
        using var response = await auditor.PostAsync("/api/rulesets/dry-run", Body(CostlyDryRun(201, "(a+)+$", "aaaa!")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await ReadAsync(response)).GetProperty("detail").GetString()!;
        Assert.Contains("Ruleset 'Costly', rule 'r201'", detail);
        Assert.Contains("at most 200", detail);
    }

    [Fact]
    public async Task RefusesADryRunWhoseMatchesConditionsSpendTheEventsBudgetNamingTheRule()
    {
        // backtracking (a backreference) until each times out at 100 ms: 50 of them used to cost 5 s of CPU
        using var auditor = _factory.CreateClientAs(Roles.Auditor);
        using var response = await auditor.PostAsync("/api/rulesets/dry-run", Body(CostlyDryRun(50, "^(a+)+\\1$", new string('a', 30_000) + "!")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ReadAsync(response);
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("document").EnumerateArray()).GetString()!;
        Assert.StartsWith("Ruleset 'Costly', rule 'r1': the 'matches' conditions spent this event's 100 ms budget there", message);
        Assert.Contains("1 run, 1 of them past the 100 ms timeout; 49 not run", message);
    }

    [Fact]
    public async Task RestoresAnEarlierVersion()
    {
        using var admin = _factory.CreateClientAs(Roles.Administrator);
        (await admin.PutAsync("/api/rulesets", Body(RulesWiringTests.ContractExample))).Dispose();
        (await admin.PutAsync("/api/rulesets", Body("""{"schemaVersion":1,"rulesets":[]}"""))).Dispose();
        using var restored = await admin.PostAsync("/api/rulesets/versions/1/restore", null);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>("/api/rulesets")).GetProperty("rulesets").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/rulesets/versions/99/restore", null)).StatusCode);
    }

    [Fact]
    public async Task KeepsTheNoteOfAPutWithItsVersion()
    {
        using var manager = _factory.CreateClientAs(Roles.Manager);
        using var put = await manager.PutAsync("/api/rulesets?note=" + Uri.EscapeDataString("  Page Checkout on call, ticket #42  "), Body(RulesWiringTests.ContractExample));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        (await manager.PutAsync("/api/rulesets", Body(RulesWiringTests.ContractExample))).Dispose();

        var versions = (await manager.GetFromJsonAsync<JsonElement>("/api/rulesets/versions")).GetProperty("versions");
        Assert.Equal("Page Checkout on call, ticket #42", versions[1].GetProperty("comment").GetString());
        Assert.Equal("Replaced through the API", versions[1].GetProperty("note").GetString());
        Assert.Equal(JsonValueKind.Null, versions[0].GetProperty("comment").ValueKind);
    }

    [Theory]
    [InlineData("note=first%0Asecond", "character 6 is a line break")]
    [InlineData("note=a&note=b", "'note' 2 times")]
    [InlineData("long", "501 characters long; a version keeps at most 500")]
    public async Task RefusesABadNoteNamingTheProblemAndSavesNothing(string query, string problem)
    {
        using var manager = _factory.CreateClientAs(Roles.Manager);
        if (query == "long") query = "note=" + new string('n', 501);
        using var response = await manager.PutAsync("/api/rulesets?" + query, Body(RulesWiringTests.ContractExample));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = Assert.Single((await ReadAsync(response)).GetProperty("errors").GetProperty("note").EnumerateArray()).GetString()!;
        Assert.Contains(problem, message);
        Assert.Equal(0, (await manager.GetFromJsonAsync<JsonElement>("/api/rulesets/versions")).GetProperty("versions").GetArrayLength());
    }

    [Theory]
    [InlineData(Roles.User)]
    [InlineData(Roles.Auditor)]
    public async Task RefusesANoteFromARoleThatCannotChangeRules(string role)
    {
        using var client = _factory.CreateClientAs(role);
        using var response = await client.PutAsync("/api/rulesets?note=mine", Body(RulesWiringTests.ContractExample));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/rulesets/versions")).GetProperty("versions").GetArrayLength());
    }
}

/// The same rules API against a portal on PostgreSQL (version numbers, history, restore).
[Collection(PostgresCollection.Name)]
public sealed class RulesetsApiOnPostgresTests(PostgresCluster cluster) : RulesetsApiTests(cluster.NewPortal());

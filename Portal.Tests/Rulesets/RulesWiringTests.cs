using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.Dispatch;
using Portal.Core.Links;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Core.Rulesets;
using Portal.Core.Settings;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Rulesets;

public class RulesWiringTests : OnEitherDatabase, IAsyncLifetime
{
    private TestDatabase _db = default!;
    private static readonly ChangeActor Agent = new("agent@portal.test");

    public async Task InitializeAsync() => _db = await TestDatabase.WithRulesAsync(postgres: await PostgresAsync());
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private RecordStore Records => _db.Get<RecordStore>();
    private RulesetStore Rulesets => _db.Get<RulesetStore>();

    public static string ContractExample => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Rules", "TestData", "contract-example.json"));

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    private async Task<List<PlannedActionEntity>> PlannedAsync()
    {
        await using var db = await _db.ContextAsync();
        return await db.PlannedActions.AsNoTracking().OrderBy(a => a.CreatedUtc).ToListAsync();
    }

    private static string Document(params string[] rules) => $$"""
        {"schemaVersion":1,"rulesets":[{"name":"Main","enabled":true,"rules":[{{string.Join(",", rules)}}]}]}
        """;

    [Fact]
    public async Task SavesEachDocumentAsANewVersionAndRestoresAnEarlierOne()
    {
        var first = await Rulesets.SaveAsync(ContractExample, "admin@portal.test");
        var second = await Rulesets.SaveAsync(Document(), "manager@portal.test");
        Assert.Equal((1L, 2L), (first.Version, second.Version));
        Assert.Empty((await Rulesets.CurrentAsync()).Document.Rulesets[0].Rules);

        var restored = await Rulesets.RestoreAsync(1, "admin@portal.test");
        Assert.Equal(3, restored.Version);
        Assert.Equal("Restored version 1", restored.Note);
        Assert.Equal("Page support for high-priority cases", (await Rulesets.CurrentAsync()).Document.Rulesets[0].Rules[0].Name);
        Assert.Equal([3L, 2L, 1L], (await Rulesets.VersionsAsync()).Select(v => v.Version));
        Assert.Equal("manager@portal.test", (await Rulesets.VersionsAsync())[1].CreatedBy);
    }

    [Fact]
    public async Task ARestoreRecordsThePersonWhoRestoredInTheHistoryAndTheAuditTrail()
    {
        await Rulesets.SaveAsync(ContractExample, "admin@portal.test");
        await Rulesets.SaveAsync(Document(), "admin@portal.test");
        var manager = TestAccounts.PrincipalOf(await _db.AddAccountAsync(Portal.Core.Security.Roles.Manager, "rhea@portal.test"));

        var restored = await Rulesets.RestoreAsync(1, manager);

        Assert.Equal("rhea@portal.test", restored.CreatedBy);
        Assert.Equal("rhea@portal.test", (await Rulesets.VersionsAsync())[0].CreatedBy);
        await using var db = await _db.ContextAsync();
        var audit = await db.LogEntries.AsNoTracking().Where(e => e.Category == Portal.Core.Logging.LogCategories.Config)
            .OrderByDescending(e => e.Id).FirstAsync();
        Assert.StartsWith("Rules version 3 saved by rhea@portal.test:", audit.Message);
        Assert.Contains("(Restored version 1)", audit.Message);
    }

    [Fact]
    public async Task RefusesAnInvalidDocumentAndKeepsTheOneInForce()
    {
        await Rulesets.SaveAsync(ContractExample, "admin");
        var bad = ContractExample.Replace("\"Priority\"", "\"Priorty\"");
        var error = await Assert.ThrowsAsync<PortalValidationException>(() => Rulesets.SaveAsync(bad, "admin"));
        var message = Assert.Single(error.Errors.SelectMany(e => e.Value));
        Assert.Contains("'SFDC > PD'", message);
        Assert.Contains("'Page support for high-priority cases'", message);
        Assert.Contains("Priorty", message);
        Assert.Equal(1, (await Rulesets.CurrentAsync()).Version);
        Assert.Single(await Rulesets.VersionsAsync());
    }

    [Fact]
    public async Task PlansOneCreateIncidentForAHighPriorityCaseInTheSameTransaction()
    {
        await Rulesets.SaveAsync(ContractExample, "admin");
        var created = await Records.CreateAsync("Case", Json("""{"Subject":"Checkout down","Priority":"High"}"""), Agent);
        await Records.UpdateAsync("Case", created.Id, Json("""{"Description":"still down"}"""), Agent);

        var planned = Assert.Single(await PlannedAsync());
        Assert.Equal(RuleActionTypes.CreateIncident, planned.ActionType);
        Assert.Equal(PlannedActionStates.Pending, planned.State);
        Assert.Equal(created.Id, planned.RecordId);
        Assert.Equal($"portal:Case:{created.Id}", planned.IdempotencyKey);
        var payload = JsonNode.Parse(planned.PayloadJson)!;
        Assert.Equal("Case 00000001 Checkout down", payload["title"]!.GetValue<string>());
        Assert.Equal("PNE3JZM", payload["serviceId"]!.GetValue<string>());
        Assert.Equal(["SFDC > PD/Page support for high-priority cases"], JsonSerializer.Deserialize<string[]>(planned.RuleChainJson)!);
    }

    [Fact]
    public async Task PlansNothingForACaseThatDoesNotMatch()
    {
        await Rulesets.SaveAsync(ContractExample, "admin");
        await Records.CreateAsync("Case", Json("""{"Subject":"Typo on invoice","Priority":"Low"}"""), Agent);
        Assert.Empty(await PlannedAsync());
    }

    [Fact]
    public async Task ActsOnEveryLinkedIncidentAndCreatesNoneWhenOneIsLinked()
    {
        await Rulesets.SaveAsync(Document("""
            {"name":"Ack on working","object":"Case","runOn":"recordCreateOrUpdate","when":"all",
             "conditions":[{"field":"Status","operator":"changedTo","value":"Working"}],"executeFor":"allLinked",
             "actions":[{"type":"acknowledgeIncident"},{"type":"createIncident","serviceId":"PX"}]}
            """), "admin");
        var created = await Records.CreateAsync("Case", Json("""{"Subject":"Linked","Status":"New"}"""), Agent);
        await _db.Get<IncidentLinks>().LinkAsync(created.Id, new IncidentState("PA", Status: "triggered"), "agent");
        await _db.Get<IncidentLinks>().LinkAsync(created.Id, new IncidentState("PB", Status: "triggered"), "agent");
        await Records.UpdateAsync("Case", created.Id, Json("""{"Status":"Working"}"""), Agent);

        var planned = await PlannedAsync();
        Assert.Equal(["PA", "PB"], planned.Select(p => p.IncidentId).Order());
        Assert.All(planned, p => Assert.Equal(RuleActionTypes.AcknowledgeIncident, p.ActionType));
    }

    [Fact]
    public async Task RunsNoRulesForAnObjectWithRunRulesOffOrForSwitchedOffCaseCreation()
    {
        await Rulesets.SaveAsync(ContractExample, "admin");
        await _db.Get<SettingsStore>().SaveAsync(IntegrationSettings.Key, new IntegrationSettings { RunRulesOnCaseCreation = false }, "admin");
        var created = await Records.CreateAsync("Case", Json("""{"Subject":"Down","Priority":"High"}"""), Agent);
        Assert.Empty(await PlannedAsync());

        await _db.Get<ObjectCatalog>().SetRunRulesAsync("Case", false);
        await Records.UpdateAsync("Case", created.Id, Json("""{"Description":"changed"}"""), Agent);
        Assert.Empty(await PlannedAsync());

        await _db.Get<ObjectCatalog>().SetRunRulesAsync("Case", true);
        await Records.UpdateAsync("Case", created.Id, Json("""{"Description":"changed again"}"""), Agent);
        Assert.Single(await PlannedAsync());
    }

    [Fact]
    public async Task ASecondMatchingCreateIncidentIsNotTakenAndTheLogSaysWhy()
    {
        await Rulesets.SaveAsync(Document(
            """
            {"name":"Page checkout","object":"Case","runOn":"recordCreateOrUpdate","when":"all","conditions":[],"executeFor":"allLinked",
             "actions":[{"type":"createIncident","serviceId":"PCHECKOUT"}]}
            """,
            """
            {"name":"Page payments","object":"Case","runOn":"recordCreateOrUpdate","when":"all","conditions":[],"executeFor":"allLinked",
             "actions":[{"type":"createIncident","serviceId":"PPAYMENTS"}]}
            """), "admin");
        var created = await Records.CreateAsync("Case", Json("""{"Subject":"Both services"}"""), Agent);

        Assert.Contains("PCHECKOUT", Assert.Single(await PlannedAsync()).PayloadJson, StringComparison.Ordinal);
        var log = _db.Get<Portal.Core.Logging.IntegrationLog>();
        await log.FlushAsync();
        var (entries, _) = await log.QueryAsync(new Portal.Core.Logging.LogQuery());
        var skipped = Assert.Single(entries, e => e.Message.Contains("not taken", StringComparison.Ordinal));
        Assert.Equal($"Rule Page payments: createIncident not taken: another rule already creates the incident for Case {created.Fields["CaseNumber"]} in this change", skipped.Message);
        Assert.Equal(created.Id, skipped.RecordId);
    }

    [Fact]
    public async Task RunsNewOnlyRulesOnInsertOnly()
    {
        await Rulesets.SaveAsync(Document("""
            {"name":"Note new cases","object":"Case","runOn":"recordCreateOrUpdate","when":"all","conditions":[],"executeFor":"newOnly",
             "actions":[{"type":"createIncident","serviceId":"PX"}]}
            """), "admin");
        var created = await Records.CreateAsync("Case", Json("""{"Subject":"New"}"""), Agent);
        await using (var db = await _db.ContextAsync()) await db.PlannedActions.ExecuteDeleteAsync();
        await Records.UpdateAsync("Case", created.Id, Json("""{"Subject":"Changed"}"""), Agent);
        Assert.Empty(await PlannedAsync());
    }

    [Fact]
    public async Task CreatesAndLinksARecordForATriggeredIncidentThenMirrorsItsStatus()
    {
        await Rulesets.SaveAsync(Document(
            """
            {"name":"Case for checkout incidents","object":"Case","runOn":"pagerDutyIncidentCreateOrUpdate","when":"all",
             "conditions":[{"field":"pd.service","operator":"equals","value":"PNE3JZM"}],"executeFor":"newOnly",
             "actions":[{"type":"createRecord","fields":{"Subject":"{{pd.incidentTitle}}","Status":"New","Priority":"High"}}]}
            """,
            """
            {"name":"Mirror status","object":"Case","runOn":"pagerDutyIncidentCreateOrUpdate","when":"any",
             "conditions":[{"field":"pd.eventType","operator":"in","value":["acknowledge","resolve"]}],"executeFor":"allLinked",
             "actions":[{"type":"setField","field":"Status","value":"PD {{pd.incidentStatus}}"}]}
            """), "admin");
        var rules = _db.Get<PagerDutyEventRules>();
        var triggered = new PagerDutyFacts { EventType = "trigger", IncidentId = "Q2CK", IncidentNumber = 37, IncidentTitle = "Checkout 502s",
            IncidentStatus = "triggered", ServiceId = "PNE3JZM", Urgency = "high" };

        await rules.RunAsync(triggered, []);
        await rules.RunAsync(triggered, []);
        var link = Assert.Single(await _db.Get<IncidentLinks>().ForIncidentAsync("Q2CK"));
        var record = await Records.GetAsync("Case", link.RecordId);
        Assert.Equal("Checkout 502s", record.Fields["Subject"]!.GetValue<string>());

        await rules.RunAsync(triggered with { EventType = "acknowledge", IncidentStatus = "acknowledged" }, []);
        Assert.Equal("PD acknowledged", (await Records.GetAsync("Case", link.RecordId)).Fields["Status"]!.GetValue<string>());

        // PagerDuty echoing an action this very rule caused does not set it off again
        await rules.RunAsync(triggered with { EventType = "resolve", IncidentStatus = "resolved" }, ["Main/Mirror status"]);
        Assert.Equal("PD acknowledged", (await Records.GetAsync("Case", link.RecordId)).Fields["Status"]!.GetValue<string>());
    }

    [Fact]
    public async Task OneFormSubmittedTwiceAtOncePlansOneIncident()
    {
        await Rulesets.SaveAsync(ContractExample, "admin");
        var submits = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            Records.CreateOnceAsync("Case", Json("""{"Subject":"Checkout down","Priority":"High"}"""), "form-double-click", Agent)));
        var answers = await Task.WhenAll(submits);

        Assert.Equal(answers[0].Record.Id, answers[1].Record.Id);
        var planned = Assert.Single(await PlannedAsync());
        Assert.Equal((RuleActionTypes.CreateIncident, answers[0].Record.Id), (planned.ActionType, planned.RecordId));
    }

    /// Issue 19, item 3: rule A makes a case for a checkout incident, rule B pages for a high-priority case.
    internal static readonly string[] CaseForIncidentAndPageForCase =
    [
        """
        {"name":"Case for checkout incidents","object":"Case","runOn":"pagerDutyIncidentCreateOrUpdate","when":"all",
         "conditions":[{"field":"pd.service","operator":"equals","value":"PNE3JZM"}],"executeFor":"newOnly",
         "actions":[{"type":"createRecord","fields":{"Subject":"{{pd.incidentTitle}}","Status":"New","Priority":"High"}}]}
        """,
        """
        {"name":"Page for high-priority cases","object":"Case","runOn":"recordCreateOrUpdate","when":"all",
         "conditions":[{"field":"Priority","operator":"equals","value":"High"}],"executeFor":"allLinked",
         "actions":[{"type":"createIncident","serviceId":"PNE3JZM"}]}
        """,
    ];

    [Fact]
    public async Task ARecordMadeByAPagerDutyRuleIsLinkedBeforeItsOwnRulesRunSoItGetsNoSecondIncident()
    {
        await Rulesets.SaveAsync(Document(CaseForIncidentAndPageForCase), "admin");

        await _db.Get<PagerDutyEventRules>().RunAsync(new PagerDutyFacts { EventType = "trigger", IncidentId = "Q2CK", IncidentNumber = 37,
            IncidentTitle = "Checkout 502s", IncidentStatus = "triggered", ServiceId = "PNE3JZM", Urgency = "high" }, []);

        Assert.Single(await _db.Get<IncidentLinks>().ForIncidentAsync("Q2CK"));
        Assert.DoesNotContain(await PlannedAsync(), a => a.ActionType == RuleActionTypes.CreateIncident);
    }

    [Fact]
    public async Task StopsAChainOfRuleMadeChangesAtTheDepthLimit()
    {
        await Rulesets.SaveAsync(Document("""
            {"name":"Page on any change","object":"Case","runOn":"recordCreateOrUpdate","when":"all","conditions":[],"executeFor":"allLinked",
             "actions":[{"type":"createIncident","serviceId":"PX"}]}
            """), "admin");
        var created = await Records.CreateAsync("Case", Json("""{"Subject":"Loop"}"""), new ChangeActor("rule", true, ["A/1", "B/2", "C/3"]));
        Assert.Empty(await PlannedAsync());
        await Records.UpdateAsync("Case", created.Id, Json("""{"Subject":"Loop 2"}"""), new ChangeActor("rule", true, ["A/1", "Main/Page on any change"]));
        Assert.Empty(await PlannedAsync());
        await Records.UpdateAsync("Case", created.Id, Json("""{"Subject":"Loop 3"}"""), new ChangeActor("rule", true, ["A/1"]));
        Assert.Equal(["A/1", "Main/Page on any change"], JsonSerializer.Deserialize<string[]>(Assert.Single(await PlannedAsync()).RuleChainJson)!);
    }

    // `count` rules on Case, each with one `matches` condition that backtracks until its 100 ms timeout on "aaaa…!"
    // (a backreference keeps it off the NonBacktracking engine): before the budget, 50 of them held the write lock 5 s.
    private static string CostlyRules(int count, string runOn, string field) => Document([.. Enumerable.Range(1, count).Select(i => $$"""
        {"name":"r{{i}}","object":"Case","runOn":"{{runOn}}","when":"all","executeFor":"allLinked",
         "conditions":[{"field":"{{field}}","operator":"matches","value":"^(a+)+\\1$"}],"actions":[]}
        """)]);

    private async Task<Portal.Core.Logging.LogEntryDto> BudgetWarningAsync()
    {
        var log = _db.Get<Portal.Core.Logging.IntegrationLog>();
        await log.FlushAsync();
        var (entries, _) = await log.QueryAsync(new Portal.Core.Logging.LogQuery(Level: Portal.Core.Logging.LogLevel.Warning));
        return Assert.Single(entries, e => e.Message.Contains("budget", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CostlyMatchesConditionsRunOnlyUntilTheEventsBudgetIsSpentInsideARecordWrite()
    {
        await Rulesets.SaveAsync(CostlyRules(50, RuleRunOn.RecordCreateOrUpdate, "Subject"), "admin");
        var created = await Records.CreateAsync("Case", Json("""{"Subject":"short"}"""), Agent);

        await Records.UpdateAsync("Case", created.Id, Json($$"""{"Subject":"{{new string('a', 30_000)}}!"}"""), Agent);

        var warning = await BudgetWarningAsync();
        Assert.Equal($"Rules on Case {created.Fields["CaseNumber"]}: the 'matches' conditions spent their 100 ms budget at rule r1; 49 more were read as not matching",
            warning.Message);
        Assert.Equal((1, 1, 49), (warning.Details!.Value.GetProperty("ran").GetInt32(), warning.Details.Value.GetProperty("timedOut").GetInt32(),
            warning.Details.Value.GetProperty("skipped").GetInt32()));
        Assert.Equal(created.Id, warning.RecordId);
    }

    [Fact]
    public async Task CostlyMatchesConditionsRunOnlyUntilTheEventsBudgetIsSpentForAPagerDutyEvent()
    {
        await Rulesets.SaveAsync(CostlyRules(50, RuleRunOn.PagerDutyIncidentCreateOrUpdate, "pd.incidentTitle"), "admin");

        await _db.Get<PagerDutyEventRules>().RunAsync(
            new PagerDutyFacts { EventType = "trigger", IncidentId = "Q2CK", IncidentTitle = new string('a', 40_000) + "!" }, []);

        var warning = await BudgetWarningAsync();
        Assert.StartsWith("Rules on PagerDuty incident Q2CK (trigger): the 'matches' conditions spent their 100 ms budget at rule r1", warning.Message);
        Assert.Equal(49, warning.Details!.Value.GetProperty("skipped").GetInt32());
        Assert.Equal("Q2CK", warning.IncidentId);
    }

    [Fact]
    public async Task ReadsBusinessHoursFromTheSettings()
    {
        var runner = _db.Get<RuleRunner>();
        _db.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero)); // a Monday
        Assert.True(await runner.IsBusinessHoursAsync(default));
        await _db.Get<SettingsStore>().SaveAsync(BusinessHoursSettings.Key,
            new BusinessHoursSettings { TimeZone = "America/New_York", Start = "09:00", End = "17:00" }, "admin");
        Assert.False(await runner.IsBusinessHoursAsync(default)); // 05:00 in New York
        await Assert.ThrowsAsync<PortalValidationException>(() => Task.FromResult(new BusinessHoursSettings { TimeZone = "Mars/Olympus" }.ToCalendar()));
    }

    [Fact]
    public async Task ADocumentWhoseExportWouldNotImportAgainIsRefusedBeforeItIsSaved()
    {
        // compact, under the import limit; exported (indented, as people read it) over it
        var rule = """{"name":"R{0}","object":"Case","runOn":"recordCreateOrUpdate","when":"all","conditions":[{"field":"Priority","operator":"equals","value":"High"},{"field":"Status","operator":"notEquals","value":"Closed"},{"field":"Subject","operator":"contains","value":"checkout"}],"executeFor":"allLinked","actions":[{"type":"createIncident","serviceId":"PNE3JZM","urgency":"high"}]}""";
        var rules = string.Join(",", Enumerable.Range(0, 2500).Select(i => rule.Replace("{0}", i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var document = $$"""{"schemaVersion":1,"rulesets":[{"name":"Many","enabled":true,"rules":[{{rules}}]}]}""";
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(document) < RulesetStore.MaxDocumentBytes);
        Assert.Equal(Portal.Endpoints.JsonBody.DefaultLimit, RulesetStore.MaxDocumentBytes); // the import's own limit

        var refused = await Assert.ThrowsAsync<PortalValidationException>(() => _db.Get<RulesetStore>().SaveAsync(document, "ada"));

        Assert.Contains("would export as", refused.Message);
        Assert.Empty(await _db.Get<RulesetStore>().VersionsAsync());
    }
}

[Collection(PostgresCollection.Name)]
public sealed class RulesWiringOnPostgresTests(PostgresCluster cluster) : RulesWiringTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}

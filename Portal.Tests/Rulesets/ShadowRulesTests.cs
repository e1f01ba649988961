using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.Logging;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Core.Rulesets;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Rulesets;

/// Shadow rules (contract section 3.1, `"mode":"shadow"`): evaluated on live traffic, they plan and change nothing and
/// log what they would have done; promoting one to live is one version.
public sealed class ShadowRulesTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.WithRulesAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private const string PageRule = """
        {"name":"Page on high","object":"Case","runOn":"recordCreateOrUpdate","when":"all","executeFor":"allLinked","mode":"shadow",
         "conditions":[{"field":"Priority","operator":"equals","value":"High"}],
         "actions":[{"type":"createIncident","serviceId":"PNE3JZM"},{"type":"addNote","content":"{{record.Subject}}"}]}
        """;

    private const string StatusRule = """
        {"name":"Close on resolve","object":"Case","runOn":"pagerDutyIncidentCreateOrUpdate","when":"all","executeFor":"allLinked","mode":"shadow",
         "conditions":[{"field":"pd.eventType","operator":"equals","value":"resolve"}],"actions":[{"type":"setField","field":"Status","value":"Closed"}]}
        """;

    private static string Document(params string[] rules) => $$"""
        {"schemaVersion":1,"rulesets":[{"name":"Main","enabled":true,"rules":[{{string.Join(",", rules)}}]}]}
        """;

    private async Task<RecordDto> HighCaseAsync() =>
        await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Checkout down","Priority":"High"}""").RootElement, new ChangeActor("agent"));

    [Fact]
    public async Task AShadowRulePlansNothingAndLogsWhatItWouldHaveDoneFilled()
    {
        await _db.Get<RulesetStore>().SaveAsync(Document(PageRule), "admin");
        var record = await HighCaseAsync();

        await using (var db = await _db.ContextAsync()) Assert.False(await db.PlannedActions.AnyAsync());
        await _db.Get<IntegrationLog>().FlushAsync();
        // the contract's category name finds it as well as the log's own
        var logged = await _db.Get<IntegrationLog>().QueryAsync(new LogQuery(Category: "rules", RecordId: record.Id));
        var entry = Assert.Single(logged.Entries, e => e.Message.StartsWith("Shadow rule", StringComparison.Ordinal));
        Assert.Equal("Info", entry.Level);
        Assert.Equal("Shadow rule Page on high matched Case 00000001 and would have: Create new Incident, if there are no linked incidents; Add note to linked Incidents",
            entry.Message);
        Assert.Contains("\"content\":\"Checkout down\"", entry.Details!.Value.GetRawText()); // filled as a live rule's actions are
        Assert.DoesNotContain(logged.Entries, e => e.Message.StartsWith("Rule Page on high matched", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PromotingMakesOneVersionWithTheRuleLiveAndItActsFromThen()
    {
        var store = _db.Get<RulesetStore>();
        var shadow = await store.SaveAsync(Document(PageRule, StatusRule), "admin");
        var admin = TestAccounts.PrincipalOf(await _db.AddAccountAsync(Portal.Core.Security.Roles.Manager, "rhea@portal.test"));

        var promoted = await store.PromoteAsync("Main", "Page on high", admin);

        Assert.Equal(shadow.Version + 1, promoted.Version);
        Assert.Equal(("rhea@portal.test", "Promoted rule 'Page on high' from shadow to live"), (promoted.CreatedBy, promoted.Note));
        var rules = (await store.CurrentAsync()).Document.Rulesets[0].Rules;
        Assert.Equal([false, true], rules.Select(r => r.IsShadow)); // the other rule stays in shadow
        Assert.DoesNotContain("\"mode\": \"live\"", RulesDocumentJson.Serialize((await store.CurrentAsync()).Document)); // live is left out
        await HighCaseAsync();
        await using var db = await _db.ContextAsync();
        Assert.Equal(["createIncident"], await db.PlannedActions.Select(a => a.ActionType).ToListAsync());

        var again = await Assert.ThrowsAsync<PortalValidationException>(() => store.PromoteAsync("Main", "Page on high", admin));
        Assert.Equal("Rule 'Page on high' is live already.", again.Message);
        await Assert.ThrowsAsync<PortalNotFoundException>(() => store.PromoteAsync("Main", "No such rule", admin));
    }

    [Fact]
    public async Task AnUnknownModeIsRefusedAtSave()
    {
        var refused = await Assert.ThrowsAsync<PortalValidationException>(() =>
            _db.Get<RulesetStore>().SaveAsync(Document(PageRule.Replace("\"shadow\"", "\"dry\"")), "admin"));
        Assert.Contains("unknown mode 'dry'; use 'live' or 'shadow' (or leave it out for live).", refused.Message);
    }
}

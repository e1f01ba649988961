using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Logging;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Core.Security;
using Portal.Core.Settings;
using Portal.Tests.Infrastructure;
using Portal.Tests.Rulesets;
using Portal.Tests.Webhooks;
using LogLevel = Portal.Core.Logging.LogLevel;

namespace Portal.Tests.Logging;

public sealed class ConfigAuditTests
{
    [Fact]
    public void ListsWhatChangedAndMasksSecretLikeProperties()
    {
        var change = ConfigAudit.Compare("""{"region":"US","encryptedApiKey":"CfDJ8old","apiKeyLast4":"abcd"}""",
            """{"region":"EU","encryptedApiKey":"CfDJ8new","apiKeyLast4":"wxyz"}""");

        Assert.Equal(["region: US → EU", "encryptedApiKey changed", "apiKeyLast4 changed"], change.Changes);
        Assert.Equal(ConfigAudit.Hidden, change.Before!["encryptedApiKey"]!.GetValue<string>());
        Assert.Equal(ConfigAudit.Hidden, change.After!["apiKeyLast4"]!.GetValue<string>());
        Assert.DoesNotContain("CfDJ8", change.Before.ToJsonString() + change.After.ToJsonString());
        Assert.Equal("EU", change.After["region"]!.GetValue<string>());
    }

    [Fact]
    public void ReportsNothingChangedForTheSameDocumentAndToleratesBrokenJson()
    {
        Assert.Empty(ConfigAudit.Compare("""{"a":1,"b":[1,2]}""", """{"b":[1,2],"a":1}""").Changes);
        Assert.Equal(["a: (none) → 1"], ConfigAudit.Compare("not json", """{"a":1}""").Changes);
    }
}

public sealed class AuditTrailTests : IAsyncLifetime
{
    private TestDatabase _db = default!;
    private IntegrationLog Log => _db.Get<IntegrationLog>();

    public async Task InitializeAsync() => _db = await TestDatabase.WithPagerDutyAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    // no flush: the audit trail is stored with each change, never through the log's queue
    private async Task<List<LogEntryDto>> ConfigEntriesAsync()
    {
        return [.. (await Log.QueryAsync(new LogQuery(Category: LogCategories.Config, OldestFirst: true))).Entries];
    }

    [Fact]
    public async Task ObjectMappingSettingsChangesNameWhoAndBeforeAndAfter()
    {
        var settings = _db.Get<SettingsStore>();
        await settings.SaveAsync(IntegrationSettings.Key, new IntegrationSettings { SyncCommentsToNotes = false, IntegrationEmail = "pd@example.com" }, "ada");
        await settings.SaveAsync(IntegrationSettings.Key, new IntegrationSettings { SyncCommentsToNotes = false, IntegrationEmail = "pd@example.com" }, "ada");

        var entry = Assert.Single(await ConfigEntriesAsync()); // saving the same values again is not a change
        Assert.StartsWith("Settings 'integration' changed by ada: syncCommentsToNotes: true → false; integrationEmail: (none) → pd@example.com", entry.Message);
        var details = entry.Details!.Value;
        Assert.True(details.GetProperty("before").GetProperty("syncCommentsToNotes").GetBoolean());
        Assert.False(details.GetProperty("after").GetProperty("syncCommentsToNotes").GetBoolean());
        Assert.Equal("ada", details.GetProperty("by").GetString());
    }

    [Fact]
    public async Task TheApiKeyNeverReachesTheAuditTrail()
    {
        const string key = "u+SECRETSECRETSECRETxyz1";
        await _db.Get<PagerDutyConnection>().SaveAsync(key, "EU", "ada");

        var entries = await ConfigEntriesAsync();
        Assert.Contains(entries, e => e.Message.Contains("encryptedApiKey changed") && e.Message.Contains("region: US → EU"));
        var all = JsonSerializer.Serialize(entries);
        Assert.DoesNotContain("SECRETSECRET", all);
        Assert.DoesNotContain("CfDJ8", all); // nor its Data Protection ciphertext
    }

    [Fact]
    public async Task ObjectTypeFieldAndRunRulesChangesAreAudited()
    {
        var catalog = _db.Get<ObjectCatalog>();
        await catalog.DefineAsync(new ObjectTypeDto("Outage", "Outage", true, [new FieldDto("Region", null, "text", null)]), "ada");
        await catalog.AddFieldAsync("Outage", new FieldDto("Severity", null, "picklist", ["Sev1", "Sev2"]), "grace");
        await catalog.SetRunRulesAsync("Outage", false, "linus");
        await catalog.SetRunRulesAsync("Outage", false, "linus"); // no change, no entry

        var entries = await ConfigEntriesAsync();
        Assert.Equal(["Object type Outage created by ada with 1 field(s)", "Field Outage.Severity (picklist) added by grace", "Rules on Outage turned off by linus"],
            entries.Select(e => e.Message));
        Assert.Equal("Sev2", entries[1].Details!.Value.GetProperty("after").GetProperty("values")[1].GetString());
        Assert.True(entries[2].Details!.Value.GetProperty("before").GetProperty("runRules").GetBoolean());
    }
}

public sealed class DryRunReplayTests : IAsyncLifetime
{
    private TestDatabase _db = default!;
    private IntegrationLog Log => _db.Get<IntegrationLog>();

    public async Task InitializeAsync() => _db = await TestDatabase.WithPagerDutyAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task ARecordChangeLoggedByTheRulesRunsAgainWithTheSameOutcome()
    {
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin");
        var record = await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Down","Priority":"High"}""").RootElement, new ChangeActor("agent"));
        await Log.FlushAsync();
        var matched = Assert.Single((await Log.QueryAsync(new LogQuery(Category: LogCategories.Rule, RecordId: record.Id))).Entries);
        Assert.True(DryRunReplay.CanReplay(matched));

        var e = await _db.Get<DryRunReplay>().EventAsync(matched.Id);
        Assert.Equal("record", e["kind"]!.GetValue<string>());
        Assert.Equal(record.Id, e["recordId"]!.GetValue<string>());
        Assert.True(e["isInsert"]!.GetValue<bool>());
        Assert.Equal("High", e["new"]!["Priority"]!.GetValue<string>());

        var result = await _db.Get<RulesDryRun>().RunAsync(JsonSerializer.SerializeToElement(new { @event = e }));
        Assert.Equal("Page support for high-priority cases", Assert.Single(result.Matches, m => m.Matched).Rule);
    }

    [Fact]
    public async Task AChangeNoRuleMatchedIsLoggedAtDebugWithItsEvent()
    {
        await _db.Get<SettingsStore>().SaveAsync(LoggerSettings.Key, new LoggerSettings { Level = LogLevel.Debug }, "admin");
        await Log.RefreshSettingsAsync();
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin");
        var record = await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Fine","Priority":"Low"}""").RootElement, new ChangeActor("agent"));
        await Log.FlushAsync();

        var entry = Assert.Single((await Log.QueryAsync(new LogQuery(Category: LogCategories.Rule, RecordId: record.Id))).Entries);
        Assert.Equal("Debug", entry.Level);
        // named by its case number, as people know it; the entry's record id links the record
        Assert.Equal($"No rule matched Case {record.Fields["CaseNumber"]}", entry.Message);
        Assert.DoesNotContain(record.Id, entry.Message);
        Assert.Equal("Low", (await _db.Get<DryRunReplay>().EventAsync(entry.Id))["new"]!["Priority"]!.GetValue<string>());
    }

    [Fact]
    public async Task EntriesThatCarryNoEventAreRefusedByName()
    {
        Log.Write(LogLevel.Info, LogCategories.Connection, "Connection tested");
        await Log.FlushAsync();
        var entry = Assert.Single((await Log.QueryAsync(new LogQuery())).Entries);
        Assert.False(DryRunReplay.CanReplay(entry));

        var refused = await Assert.ThrowsAsync<PortalValidationException>(() => _db.Get<DryRunReplay>().EventAsync(entry.Id));
        Assert.Contains($"Log entry {entry.Id} is not a webhook delivery or a rule decision", refused.Message);
        var missing = await Assert.ThrowsAsync<PortalNotFoundException>(() => _db.Get<DryRunReplay>().EventAsync(999_999));
        Assert.Contains("There is no log entry 999999", missing.Message);
    }

    [Fact]
    public async Task AWebhookWhoseDeliveryIsGoneSaysSo()
    {
        Log.Write(LogLevel.Info, LogCategories.Webhook, "Received incident.triggered for incident 7", details: new { eventId = "01GONE" });
        await Log.FlushAsync();
        var entry = Assert.Single((await Log.QueryAsync(new LogQuery())).Entries);
        Assert.True(DryRunReplay.CanReplay(entry));
        var gone = await Assert.ThrowsAsync<PortalNotFoundException>(() => _db.Get<DryRunReplay>().EventAsync(entry.Id));
        Assert.Equal("The delivery of PagerDuty event 01GONE is no longer stored, so it cannot be dry-run again.", gone.Message);
    }

    [Fact]
    public async Task ReportsTheOldestEntryAndTheDatabaseSize()
    {
        var empty = await Log.StatsAsync();
        Log.Write(LogLevel.Info, LogCategories.Action, "first");
        await Log.FlushAsync();
        var firstTime = _db.Clock.GetUtcNow().UtcDateTime;
        _db.Clock.Advance(TimeSpan.FromHours(3));
        Log.Write(LogLevel.Info, LogCategories.Action, "second");
        await Log.FlushAsync();

        var stats = await Log.StatsAsync();
        Assert.Equal(empty.Entries + 2, stats.Entries);
        Assert.Equal(empty.OldestUtc ?? firstTime, stats.OldestUtc);
        Assert.True(stats.DatabaseBytes > 0);
        Assert.Equal(30, stats.RetentionDays);
    }
}

/// "Dry-run again" over HTTP: the logged delivery comes back as the event the dry-run endpoint takes.
public sealed class DryRunReplayApiTests : IDisposable
{
    private const string Secret = "HvPtlQNKMPpHSSqJpCdndXfo7HnGXa1pnH6w5axpxLFn9aRBNBGh4e8/HlonK5mz";
    private readonly PortalAppFactory _factory = new(settings: new Dictionary<string, string?> { ["PagerDuty:WebhookSecrets:0"] = Secret });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task ALoggedWebhookReplaysThroughTheDryRunEndpoint()
    {
        using (var anonymous = _factory.CreateClientAs(null))
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/pagerduty") { Content = new ByteArrayContent(WebhookIntakeTests.Capture("incident.triggered")) };
            request.Headers.Add("X-PagerDuty-Signature", WebhookIntakeTests.PublishedSignature("incident.triggered"));
            using var accepted = await anonymous.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }
        var log = _factory.Services.GetRequiredService<IntegrationLog>();
        await log.FlushAsync();
        var received = (await log.QueryAsync(new LogQuery(Category: LogCategories.Webhook, Text: "Received incident.triggered"))).Entries.First();

        using var client = _factory.CreateClientAs(Roles.Auditor);
        var body = await client.GetFromJsonAsync<JsonElement>($"/api/logs/{received.Id}/dry-run-event");
        var e = body.GetProperty("event");
        Assert.Equal("pagerduty", e.GetProperty("kind").GetString());
        Assert.Equal("Q2CKYRLH85UNN4", e.GetProperty("webhook").GetProperty("event").GetProperty("data").GetProperty("id").GetString());

        using var dryRun = await client.PostAsJsonAsync("/api/rulesets/dry-run", body);
        Assert.Equal(HttpStatusCode.OK, dryRun.StatusCode);
        using var notFound = await client.GetAsync("/api/logs/987654/dry-run-event");
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
    }
}

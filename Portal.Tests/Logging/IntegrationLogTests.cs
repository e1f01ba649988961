using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Dispatch;
using Portal.Core.Logging;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Core.Security;
using Portal.Core.Settings;
using Portal.Tests.Infrastructure;
using Portal.Tests.Rulesets;
using LogLevel = Portal.Core.Logging.LogLevel;

namespace Portal.Tests.Logging;

public class IntegrationLogTests : OnEitherDatabase, IAsyncLifetime
{
    private TestDatabase _db = default!;
    private IntegrationLog Log => _db.Get<IntegrationLog>();

    public async Task InitializeAsync() => _db = await TestDatabase.WithPagerDutyAsync(postgres: await PostgresAsync());
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task KeepsOnlyTheLevelsTheLoggerTabAsksFor()
    {
        Log.Write(LogLevel.Debug, LogCategories.Rule, "debug at Info");
        Log.Write(LogLevel.Warning, LogCategories.Action, "warning at Info");
        await _db.Get<SettingsStore>().SaveAsync(LoggerSettings.Key, new LoggerSettings { Level = LogLevel.Error }, "admin");
        await Log.RefreshSettingsAsync();
        Log.Write(LogLevel.Info, LogCategories.Webhook, "info at Error");
        Log.Write(LogLevel.Error, LogCategories.Action, "error at Error");
        await Log.FlushAsync();

        var (entries, total) = await Log.QueryAsync(new LogQuery(OldestFirst: true));
        // the audit entry of the change itself is kept whatever the level (it is not diagnostics), and it is stored with
        // the change, ahead of entries still waiting in the writer's queue
        Assert.Equal(["Settings 'logger' changed by admin: level: Info → Error", "warning at Info", "error at Error"], entries.Select(e => e.Message));
        Assert.Equal(3, total);
    }

    [Fact]
    public async Task FiltersByLevelCategoryTextAndTime()
    {
        Log.Write(LogLevel.Info, LogCategories.Webhook, "Received incident.triggered");
        _db.Clock.Advance(TimeSpan.FromMinutes(5));
        Log.Write(LogLevel.Error, LogCategories.Action, "createIncident failed for good: Service not found", recordId: "r1", incidentId: "P1");
        await Log.FlushAsync();

        Assert.Equal("createIncident failed for good: Service not found", Assert.Single((await Log.QueryAsync(new LogQuery(Level: LogLevel.Warning))).Entries).Message);
        Assert.Single((await Log.QueryAsync(new LogQuery(Category: LogCategories.Webhook))).Entries);
        Assert.Single((await Log.QueryAsync(new LogQuery(Text: "Service not found"))).Entries);
        Assert.Single((await Log.QueryAsync(new LogQuery(Since: _db.Clock.GetUtcNow().UtcDateTime.AddMinutes(-1)))).Entries);
        Assert.Single((await Log.QueryAsync(new LogQuery(RecordId: "r1"))).Entries);
    }

    [Fact]
    public async Task FindsTextAnywhereInTheMessageInAnyCaseWithWildcardsTakenLiterally()
    {
        Log.Write(LogLevel.Error, LogCategories.Action, "createIncident failed for good: PagerDuty answered 400: \"Service PNOPE00 not found.\"");
        Log.Write(LogLevel.Info, LogCategories.Webhook, "Received incident.triggered for incident QB000000012345");
        Log.Write(LogLevel.Info, LogCategories.Connection, "Retention 100% kept_for 30 days");
        await Log.FlushAsync();

        async Task<string[]> Find(string text) => [.. (await Log.QueryAsync(new LogQuery(Text: text))).Entries.Select(e => e.Message[..10])];
        Assert.Equal(["createInci"], await Find("SERVICE pnope00"));
        Assert.Equal(["createInci"], await Find("\"Service PNOPE00"));
        Assert.Equal(["Received i"], await Find("0000123"));
        Assert.Equal(["Retention "], await Find("0%"));
        Assert.Equal(["Retention "], await Find("t_f"));
        Assert.Empty(await Find("%%"));
        Assert.Empty(await Find("not there"));
        Assert.Equal(3, (await Log.QueryAsync(new LogQuery(Text: "e"))).Total);
    }

    [Fact]
    public async Task PurgesEntriesOlderThanTheRetention()
    {
        await _db.Get<SettingsStore>().SaveAsync(LoggerSettings.Key, new LoggerSettings { RetentionDays = 7 }, "admin");
        Log.Write(LogLevel.Info, LogCategories.Connection, "old");
        await Log.FlushAsync();
        _db.Clock.Advance(TimeSpan.FromDays(6));
        Log.Write(LogLevel.Info, LogCategories.Connection, "recent");
        await Log.FlushAsync();
        _db.Clock.Advance(TimeSpan.FromDays(2));

        Assert.Equal(2, await Log.PurgeAsync()); // "old" and the audit entry of the retention change, both 8 days old
        Assert.Equal("recent", Assert.Single((await Log.QueryAsync(new LogQuery())).Entries).Message);
    }

    [Fact]
    public async Task FollowsOneChangeFromTheRuleToPagerDutysAnswer()
    {
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin");
        await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Down","Priority":"High"}""").RootElement, new ChangeActor("agent"));
        await _db.Get<ActionDispatcher>().RunDueAsync();
        await Log.FlushAsync();

        Guid correlation;
        await using (var db = await _db.ContextAsync()) correlation = (await db.PlannedActions.SingleAsync()).CorrelationId;
        var chain = (await Log.QueryAsync(new LogQuery(CorrelationId: correlation, OldestFirst: true))).Entries;
        Assert.Equal([LogCategories.Rule, LogCategories.Action], chain.Select(e => e.Category));
        Assert.Matches("^Rule Page support for high-priority cases matched Case [0-9]{8}$", chain[0].Message);
        Assert.StartsWith("Sent createIncident: incident #1 is triggered", chain[1].Message);
        Assert.Equal("triggered", chain[1].Details!.Value.GetProperty("answer").GetProperty("status").GetString());
    }

    [Fact]
    public async Task LogsPagerDutysRefusalAsAnErrorInItsOwnWords()
    {
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample.Replace("PNE3JZM", "PNOPE00"), "admin");
        await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Down","Priority":"High"}""").RootElement, new ChangeActor("agent"));
        await _db.Get<ActionDispatcher>().RunDueAsync();
        await Log.FlushAsync();
        var error = Assert.Single((await Log.QueryAsync(new LogQuery(Level: LogLevel.Error))).Entries);
        Assert.Contains("Service PNOPE00 not found.", error.Message);
        Assert.Equal(LogCategories.Action, error.Category);
    }
}

/// The queue never blocks the work it logs, so what it cannot keep is counted, and a store that fails is logged.
public class LogQueueTests : OnEitherDatabase, IAsyncLifetime
{
    private readonly CapturedLogger<IntegrationLog> _logger = new();
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync(postgres: await PostgresAsync());
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private IntegrationLog LogWith(int capacity, IDbContextFactory<PortalDbContext>? dbFactory = null) =>
        new(dbFactory ?? _db.Get<IDbContextFactory<PortalDbContext>>(), _db.Get<SettingsStore>(), _db.Get<Core.Notifications.ChangeNotifier>(), _db.Clock,
            _db.Get<Core.Telemetry.PortalMetrics>(), _logger, capacity);

    [Fact]
    public async Task CountsTheEntriesAFullQueueDrops()
    {
        var log = LogWith(capacity: 3);
        for (var i = 1; i <= 5; i++) log.Write(LogLevel.Info, LogCategories.Webhook, $"entry {i}");

        Assert.Equal(2, log.Dropped);
        Assert.True(await log.FlushAsync());
        Assert.Equal(["entry 3", "entry 4", "entry 5"], (await log.QueryAsync(new LogQuery(OldestFirst: true))).Entries.Select(e => e.Message));
        var stats = await log.StatsAsync();
        Assert.Equal((2L, 0L), (stats.Dropped, stats.Lost));
    }

    [Fact]
    public async Task AFailedStoreIsLoggedWithItsErrorAndCountedAsLost()
    {
        var log = LogWith(IntegrationLog.DefaultCapacity, new UnreachableDatabase());
        log.Write(LogLevel.Info, LogCategories.Webhook, "first");
        log.Write(LogLevel.Error, LogCategories.Action, "second");

        Assert.False(await log.FlushAsync());

        Assert.Equal(2, log.Lost);
        var (level, message, error) = Assert.Single(_logger.Entries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, level);
        Assert.Equal("Storing 2 integration log entries failed; they are lost (the Summary tab counts them)", message);
        Assert.Equal(UnreachableDatabase.Error, error?.Message);
        Assert.True(await log.FlushAsync()); // nothing is left to store
    }
}

public sealed class LogsApiTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task AnswersTheContractShapeNewestFirst()
    {
        var log = fixture.Factory.Services.GetRequiredService<IntegrationLog>();
        log.Write(LogLevel.Info, LogCategories.Webhook, "first", Guid.NewGuid(), "rec1", "PINC1", new { a = 1 });
        log.Write(LogLevel.Error, LogCategories.Action, "second");
        await log.FlushAsync();

        using var client = fixture.Factory.CreateClientAs(Roles.Auditor);
        var body = await client.GetFromJsonAsync<JsonElement>("/api/logs?limit=50");
        var entries = body.GetProperty("entries").EnumerateArray().ToList();
        var first = entries.Single(e => e.GetProperty("message").GetString() == "first");
        foreach (var name in new[] { "id", "timeUtc", "level", "category", "message", "correlationId", "recordId", "incidentId", "details" })
            Assert.True(first.TryGetProperty(name, out _), name);
        Assert.Equal("Info", first.GetProperty("level").GetString());
        Assert.Equal(1, first.GetProperty("details").GetProperty("a").GetInt32());
        Assert.True(entries.FindIndex(e => e.GetProperty("message").GetString() == "second") < entries.IndexOf(first));

        var errors = await client.GetFromJsonAsync<JsonElement>("/api/logs?level=Error");
        Assert.All(errors.GetProperty("entries").EnumerateArray(), e => Assert.Equal("Error", e.GetProperty("level").GetString()));
        using var bad = await client.GetAsync("/api/logs?level=Loud");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var badTime = await client.GetAsync("/api/logs?since=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, badTime.StatusCode);
    }

    [Fact]
    public async Task RefusesANegativeOffsetNamingIt()
    {
        using var client = fixture.Factory.CreateClientAs(Roles.Auditor);
        using var response = await client.GetAsync("/api/logs?offset=-1");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("'offset' must be 0 or more.", problem.GetProperty("errors").GetProperty("offset")[0].GetString());
    }
}

public sealed class LogExportTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    [Fact]
    public async Task ExportsTheFilteredViewAsCsvAndJson()
    {
        var log = fixture.Factory.Services.GetRequiredService<IntegrationLog>();
        log.Write(LogLevel.Error, LogCategories.Action, "addNote failed for good: \"Incident Already Resolved\"", recordId: "rec9");
        log.Write(LogLevel.Info, LogCategories.Webhook, "Received incident.triggered");
        await log.FlushAsync();
        using var client = fixture.Factory.CreateClientAs(Roles.User);

        var csv = await client.GetStringAsync("/api/logs/export?format=csv&level=Error");
        var lines = csv.Trim().Split('\n');
        Assert.Equal("timeUtc,level,category,message,correlationId,recordId,incidentId,details", lines[0]);
        Assert.Contains("\"addNote failed for good: \"\"Incident Already Resolved\"\"\"", lines[1]);
        Assert.DoesNotContain(lines, l => l.Contains("Received incident.triggered"));

        var json = await client.GetFromJsonAsync<JsonElement>("/api/logs/export?format=json&category=webhook");
        Assert.All(json.GetProperty("entries").EnumerateArray(), e => Assert.Equal("webhook", e.GetProperty("category").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/logs/export?format=xml")).StatusCode);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"https://evil.example\",\"open\")")]
    [InlineData("+1+cmd")]
    [InlineData("-2+cmd")]
    [InlineData("@SUM(A1)")]
    [InlineData("\t=1+1")]
    [InlineData("\r=1+1")]
    public async Task ExportsCellsThatLookLikeFormulasAsText(string message)
    {
        var marker = Guid.NewGuid().ToString("n");
        var log = fixture.Factory.Services.GetRequiredService<IntegrationLog>();
        log.Write(LogLevel.Error, LogCategories.Action, message + " " + marker, recordId: message);
        await log.FlushAsync();
        using var client = fixture.Factory.CreateClientAs(Roles.User);

        var csv = await client.GetStringAsync($"/api/logs/export?format=csv&text={marker}");
        var quoted = "\"'" + message.Replace("\"", "\"\"");
        Assert.Contains($"{quoted} {marker}\"", csv);  // the message
        Assert.Contains($"{quoted}\"", csv);           // the record id
        Assert.DoesNotContain($",\"{message.Replace("\"", "\"\"")}", csv);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class IntegrationLogOnPostgresTests(PostgresCluster cluster) : IntegrationLogTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class LogQueueOnPostgresTests(PostgresCluster cluster) : LogQueueTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}

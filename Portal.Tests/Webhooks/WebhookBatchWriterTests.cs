using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Webhooks;

/// The intake's group commit writes its rows with plain prepared inserts: what EF Core reads back must be what it
/// would have written, and repeats (by event id or by delivery id, also inside one batch) are told apart.
public class WebhookBatchWriterTests : OnEitherDatabase, IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync(s => s.AddSingleton<WebhookBatchWriter>(), postgres: await PostgresAsync());

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private WebhookEventEntity Row(string eventId, string? webhookId) => new()
    {
        EventId = eventId, WebhookId = webhookId, EventType = "incident.triggered", IncidentId = "P1", Body = "{\"event\":{}}",
        // to the microsecond, the finest time both SQLite's text and PostgreSQL's timestamptz keep
        ReceivedUtc = new DateTime(2026, 3, 2, 10, 0, 0, DateTimeKind.Utc).AddTicks(1234560),
    };

    [Fact]
    public async Task StoresRowsAsEfCoreReadsThemAndTellsRepeats()
    {
        var writer = _db.Get<WebhookBatchWriter>();
        // submitted together, so that they usually share one commit; the outcomes do not depend on that
        var outcomes = await Task.WhenAll(
            writer.StoreAsync(Row("E1", "D1"), default),
            writer.StoreAsync(Row("E1", "D2"), default),  // same event, another delivery
            writer.StoreAsync(Row("E2", "D1"), default),  // same delivery id
            writer.StoreAsync(Row("E3", null), default));
        Assert.Equal([StoreOutcome.Stored, StoreOutcome.Duplicate, StoreOutcome.Duplicate, StoreOutcome.Stored], outcomes);
        Assert.Equal(StoreOutcome.Duplicate, await writer.StoreAsync(Row("E3", "D9"), default));

        await using var db = await _db.ContextAsync();
        var rows = await db.WebhookEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(["E1", "E3"], rows.Select(r => r.EventId));
        Assert.Equal(["D1", null], rows.Select(r => r.WebhookId));
        Assert.All(rows, r => Assert.Equal(Row("x", null).ReceivedUtc, r.ReceivedUtc));
        Assert.All(rows, r => Assert.Equal((WebhookEventStates.Pending, "incident.triggered", "P1"), (r.State, r.EventType, r.IncidentId)));
        var since = Row("x", null).ReceivedUtc.AddTicks(-1);
        Assert.Equal(2, await db.WebhookEvents.CountAsync(e => e.ReceivedUtc > since && e.State == WebhookEventStates.Pending));
    }

    [Fact]
    public async Task AFailedCommitAnswersFailedAndIsLoggedWithItsError()
    {
        var logger = new CapturedLogger<WebhookBatchWriter>();
        var writer = new WebhookBatchWriter(new UnreachableDatabase(), logger);

        Assert.Equal(StoreOutcome.Failed, await writer.StoreAsync(Row("E1", "D1"), default));

        var (level, message, error) = Assert.Single(logger.Entries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, level);
        Assert.StartsWith("Storing 1 webhook deliveries failed", message);
        Assert.Equal(UnreachableDatabase.Error, error?.Message);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class WebhookBatchWriterOnPostgresTests(PostgresCluster cluster) : WebhookBatchWriterTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}

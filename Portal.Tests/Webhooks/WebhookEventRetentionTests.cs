using Microsoft.EntityFrameworkCore;
using Portal.Core.Logging;
using Portal.Core.Settings;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Webhooks;

public sealed class WebhookEventRetentionTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.WithPagerDutyAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task StoreAsync(string eventId, TimeSpan age, string state)
    {
        await using var db = await _db.ContextAsync();
        db.WebhookEvents.Add(new WebhookEventEntity
        {
            EventId = eventId, EventType = "incident.triggered", Body = "{}", State = state,
            ReceivedUtc = _db.Clock.GetUtcNow().UtcDateTime - age,
        });
        await db.SaveChangesAsync();
    }

    private async Task<List<string>> KeptAsync()
    {
        await using var db = await _db.ContextAsync();
        return await db.WebhookEvents.OrderBy(w => w.Id).Select(w => w.EventId).ToListAsync();
    }

    [Fact]
    public async Task KeepsDeliveriesAsLongAsTheLogButNeverLessThan72HoursAndNeverAPendingOne()
    {
        await _db.Get<SettingsStore>().SaveAsync(LoggerSettings.Key, new LoggerSettings { RetentionDays = 1 }, "admin");
        await StoreAsync("old-processed", TimeSpan.FromHours(73), WebhookEventStates.Processed);
        await StoreAsync("old-failed", TimeSpan.FromHours(100), WebhookEventStates.Failed);
        await StoreAsync("old-pending", TimeSpan.FromDays(10), WebhookEventStates.Pending);
        await StoreAsync("two-days", TimeSpan.FromHours(48), WebhookEventStates.Processed);

        Assert.Equal(2, await _db.Get<WebhookEventRetention>().PurgeAsync());
        Assert.Equal(["old-pending", "two-days"], await KeptAsync()); // a 1-day log still keeps 72 hours of deliveries

        await _db.Get<SettingsStore>().SaveAsync(LoggerSettings.Key, new LoggerSettings { RetentionDays = 30 }, "admin");
        await StoreAsync("twenty-days", TimeSpan.FromDays(20), WebhookEventStates.Processed);
        _db.Clock.Advance(TimeSpan.FromDays(12));
        Assert.Equal(1, await _db.Get<WebhookEventRetention>().PurgeAsync()); // twenty-days is now 32 days old
        Assert.Equal(["old-pending", "two-days"], await KeptAsync());
    }
}

/// With several instances on one PostgreSQL database, a retention purge runs on one instance at a time: while another
/// holds its turn, this one deletes nothing; once the turn is free, it purges.
[Collection(PostgresCollection.Name)]
public sealed class WebhookEventRetentionOnPostgresTests(PostgresCluster cluster) : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.WithPagerDutyAsync(postgres: await cluster.CreateDatabaseAsync());
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task APurgeAnotherInstanceIsRunningIsLeftToIt()
    {
        await using (var db = await _db.ContextAsync())
        {
            db.WebhookEvents.Add(new WebhookEventEntity
            {
                EventId = "old-processed", EventType = "incident.triggered", Body = "{}", State = WebhookEventStates.Processed,
                ReceivedUtc = _db.Clock.GetUtcNow().UtcDateTime - TimeSpan.FromDays(40),
            });
            await db.SaveChangesAsync();
        }
        var factory = _db.Get<IDbContextFactory<Portal.Core.Persistence.PortalDbContext>>();

        await using (var otherInstance = await Portal.Core.Persistence.PostgresTurn.TryTakeAsync(factory, "webhook delivery retention", CancellationToken.None))
        {
            Assert.True(otherInstance!.Taken);
            Assert.Equal(0, await _db.Get<WebhookEventRetention>().PurgeAsync());
            await using var db = await _db.ContextAsync();
            Assert.Equal(1, await db.WebhookEvents.CountAsync());
        }

        Assert.Equal(1, await _db.Get<WebhookEventRetention>().PurgeAsync());
    }
}

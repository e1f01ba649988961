using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Links;
using Portal.Core.Notifications;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Notifications;

public class ChangeNotifierTests : OnEitherDatabase, IAsyncLifetime
{
    private TestDatabase _db = default!;
    private string _caseId = "";

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(postgres: await PostgresAsync());
        _caseId = (await _db.Get<RecordStore>().CreateAsync("Case", System.Text.Json.JsonDocument.Parse("""{"Subject":"Checkout down"}""").RootElement,
            ChangeActor.System)).Id;
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private ChangeNotifier Notifier => _db.Get<ChangeNotifier>();

    private Task<IncidentLinkEntity> LinkAsync(PortalDbContext db, string incidentId) =>
        _db.Get<IncidentLinks>().LinkAsync(db, _caseId, new IncidentState(incidentId, 1, "Checkout 502s", "triggered", "high", null), "test", default);

    [Fact]
    public async Task TellsOnlyAfterTheCommitAndWhatItTellsIsAlreadyVisibleToOthers()
    {
        var heard = new List<(string RecordId, int LinksSeen)>();
        using var _ = Notifier.Subscribe<RecordLinksChanged>(changed =>
        {
            using var other = _db.Get<IDbContextFactory<PortalDbContext>>().CreateDbContext();
            heard.Add((changed.RecordId, other.IncidentLinks.Count(l => l.RecordId == changed.RecordId)));
        });

        await using var db = await _db.ContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await LinkAsync(db, "Q1");
        await db.SaveChangesAsync();
        Assert.Empty(heard); // saved inside a transaction is not committed
        await transaction.CommitAsync();

        Assert.Equal([(_caseId, 1)], heard);
    }

    [Fact]
    public async Task ARollbackTellsNothing()
    {
        var heard = 0;
        using var _ = Notifier.Subscribe<RecordLinksChanged>(_ => heard++);
        using var __ = Notifier.Subscribe<RecordChange>(_ => heard++);

        await using (var db = await _db.ContextAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await LinkAsync(db, "Q1");
            var type = (await _db.Get<ObjectCatalog>().GetAsync()).Get("Case");
            await _db.Get<RecordStore>().UpdateAsync(db, type, _caseId, new Dictionary<string, System.Text.Json.Nodes.JsonNode?> { ["Subject"] = "Other" },
                ChangeActor.System, default);
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        Assert.Equal(0, heard);
    }

    [Fact]
    public async Task ARollbackToASavepointDiscardsOnlyWhatCameAfterIt()
    {
        var heard = new List<string>();
        using var _ = Notifier.Subscribe<StatusUpdateAdded>(added => heard.Add(added.IncidentId));
        var updates = new Portal.Core.StatusDashboard.IncidentStatusUpdates(_db.Get<IDbContextFactory<PortalDbContext>>(), _db.Clock,
            NullLogger<Portal.Core.StatusDashboard.IncidentStatusUpdates>.Instance);

        await using var db = await _db.ContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        foreach (var (incident, keep) in new[] { ("Q1", true), ("Q2", false), ("Q3", true) })
        {
            await transaction.CreateSavepointAsync("event");
            await updates.AddReceivedAsync(db, incident, new Portal.Core.Webhooks.WebhookStatusUpdate("SU" + incident, "Investigating", false, null), null);
            await db.SaveChangesAsync();
            if (!keep)
            {
                await transaction.RollbackToSavepointAsync("event");
                db.ChangeTracker.Clear();
            }
            await transaction.ReleaseSavepointAsync("event");
        }
        await transaction.CommitAsync();

        Assert.Equal(["Q1", "Q3"], heard);
    }

    [Fact]
    public async Task AFailedSaveTellsNothingAndTheNextOneTellsOnlyItsOwn()
    {
        await using var db = await _db.ContextAsync();
        var existing = await LinkAsync(db, "Q1");
        await db.SaveChangesAsync();
        var heard = new List<string>();
        using var _ = Notifier.Subscribe<RecordLinksChanged>(changed => heard.Add(changed.RecordId));

        db.ChangeTracker.Clear();
        await LinkAsync(db, "Q2");
        db.IncidentLinks.Add(new IncidentLinkEntity { Id = existing.Id, RecordId = "another", ObjectName = "Case", IncidentId = "Q9" }); // its key is taken
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Empty(heard);

        db.ChangeTracker.Clear();
        await LinkAsync(db, "Q3");
        await db.SaveChangesAsync();
        Assert.Equal([_caseId], heard);
    }

    [Fact]
    public void ASubscriberThatFailsNeitherStopsTheOthersNorReachesThePublisher()
    {
        var heard = 0;
        using var failing = Notifier.Subscribe<DeadLettersChanged>(_ => throw new InvalidOperationException("broken page"));
        using var working = Notifier.Subscribe<DeadLettersChanged>(_ => heard++);

        Notifier.Publish(new DeadLettersChanged());

        Assert.Equal(1, heard);
    }

    [Fact]
    public void ADisposedSubscriptionHearsNothingAndLeavesNothingBehind()
    {
        var heard = 0;
        var subscriptions = Notifier.Subscriptions().On<DeadLettersChanged>(_ => heard++).On<WebhookPingReceived>(_ => heard++);
        Assert.Equal(1, Notifier.SubscriberCount<DeadLettersChanged>());

        subscriptions.Dispose();
        subscriptions.Dispose();
        Notifier.Publish(new DeadLettersChanged());
        Notifier.Publish(new WebhookPingReceived());

        Assert.Equal(0, heard);
        Assert.Equal(0, Notifier.SubscriberCount<DeadLettersChanged>());
        Assert.Equal(0, Notifier.SubscriberCount<WebhookPingReceived>());
    }

    [Fact]
    public void RefusesToWaitForACommitOfAContextThatCannotTellIt()
    {
        using var plain = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite("Data Source=:memory:").Options);
        var notifier = new ChangeNotifier(NullLogger<ChangeNotifier>.Instance);

        var refused = Assert.Throws<InvalidOperationException>(() => notifier.AfterCommit(plain, new DeadLettersChanged()));
        Assert.Contains("ChangeNotifierInterceptor", refused.Message);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class ChangeNotifierOnPostgresTests(PostgresCluster cluster) : ChangeNotifierTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}

using Portal.Core.Logging;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Webhooks;

public sealed class RefusalTallyTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task<List<string>> SecurityEntriesAsync()
    {
        var log = _db.Get<IntegrationLog>();
        await log.FlushAsync();
        var (entries, _) = await log.QueryAsync(new LogQuery(Category: LogCategories.Security, OldestFirst: true));
        // the same entries under `webhook`, for whoever follows the webhooks
        var (webhook, _) = await log.QueryAsync(new LogQuery(Category: LogCategories.Webhook, OldestFirst: true));
        Assert.Equal(entries.Select(e => (e.Level, e.Message)), webhook.Select(e => (e.Level, e.Message)));
        return entries.Select(e => e.Message).ToList();
    }

    [Fact]
    public async Task AFloodOfRefusalsWritesOneEntryPerReasonAndMinuteWithTheCount()
    {
        using var tally = new RefusalTally(_db.Get<IntegrationLog>(), _db.Clock);
        for (var i = 0; i < 4000; i++) tally.Count("The signature does not match.");
        tally.Count("The body is not a PagerDuty Webhooks v3 event.");

        Assert.Equal(["Refused a webhook delivery: The signature does not match.", "Refused a webhook delivery: The body is not a PagerDuty Webhooks v3 event."],
            await SecurityEntriesAsync());

        _db.Clock.Advance(RefusalTally.Window); // the minute is over: its timer writes the count
        var entries = await SecurityEntriesAsync();
        Assert.Equal(3, entries.Count);
        Assert.Equal("Refused 3999 more webhook deliveries in the minute from 10:00:00 UTC: The signature does not match.", entries[2]);

        tally.Count("The signature does not match."); // a new minute starts with an entry of its own
        Assert.Equal("Refused a webhook delivery: The signature does not match.", (await SecurityEntriesAsync())[^1]);
    }
}

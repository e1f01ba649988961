using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Logging;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using Portal.Tests.Telemetry;

namespace Portal.Tests.Webhooks;

/// The processing lag (the age of the oldest delivery still waiting): read for the Summary tab and `/readyz`, and a
/// Warning in the logs, once, when it goes over `Webhooks:LagWarningThreshold`, then a word when it has caught up.
public sealed class WebhookLagTests : IAsyncLifetime
{
    private TestDatabase _db = default!;
    private MeterCapture _metrics = default!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.WithPagerDutyAsync(new Dictionary<string, string?> { ["Webhooks:LagWarningThreshold"] = "00:00:20" });
        _metrics = new MeterCapture(_db.Get<IMeterFactory>());
    }

    public async Task DisposeAsync()
    {
        _metrics.Dispose();
        await _db.DisposeAsync();
    }

    private async Task StoreAsync(string eventId, TimeSpan ago, string state = WebhookEventStates.Pending)
    {
        await using var db = await _db.ContextAsync();
        db.WebhookEvents.Add(new WebhookEventEntity
        {
            EventId = eventId, EventType = "incident.triggered", Body = "{}", State = state, ReceivedUtc = (_db.Clock.GetUtcNow() - ago).UtcDateTime,
        });
        await db.SaveChangesAsync();
    }

    private async Task<List<LogEntryEntity>> LagEntriesAsync()
    {
        await _db.Get<IntegrationLog>().FlushAsync();
        await using var db = await _db.ContextAsync();
        return await db.LogEntries.AsNoTracking().Where(e => e.Category == LogCategories.Webhook && e.Message.StartsWith("Webhook processing"))
            .OrderBy(e => e.Id).ToListAsync();
    }

    [Fact]
    public async Task WarnsOnceWhenProcessingFallsBehindTheThresholdAndSaysWhenItHasCaughtUp()
    {
        var lag = _db.Get<WebhookLag>();
        Assert.Equal(new WebhookLagReading(0, null, TimeSpan.Zero, TimeSpan.FromSeconds(20)), await lag.CheckAsync());

        await StoreAsync("E-DONE", TimeSpan.FromMinutes(5), WebhookEventStates.Processed);
        await StoreAsync("E-OLD", TimeSpan.FromSeconds(45));
        await StoreAsync("E-NEW", TimeSpan.FromSeconds(3));
        var behind = await lag.CheckAsync();
        Assert.Equal((2, TimeSpan.FromSeconds(45), true), (behind.Waiting, behind.Lag, behind.OverThreshold));
        await lag.CheckAsync(); // still behind: no second warning

        var warning = Assert.Single(await LagEntriesAsync());
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("Webhook processing is 45 s behind (2 deliveries waiting), over the warning threshold of 20 s (Webhooks:LagWarningThreshold): "
            + "what the console shows is that old", warning.Message);
        Assert.Equal(1, _metrics.Sum("portal.webhooks.lag.warnings"));

        await using (var db = await _db.ContextAsync())
            await db.WebhookEvents.ExecuteUpdateAsync(s => s.SetProperty(e => e.State, WebhookEventStates.Processed));
        _db.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.False((await lag.CheckAsync()).OverThreshold);

        var entries = await LagEntriesAsync();
        Assert.Equal(2, entries.Count);
        Assert.Equal((LogLevel.Info, "Webhook processing has caught up: the lag is 0 s again, after 10 s over the warning threshold"),
            (entries[1].Level, entries[1].Message));
        Assert.Equal(1, _metrics.Sum("portal.webhooks.lag.warnings"));
    }

    [Fact]
    public async Task AThresholdThatIsNotPositiveStopsTheStartNamingTheKey()
    {
        await using var db = await TestDatabase.WithPagerDutyAsync(new Dictionary<string, string?> { ["Webhooks:LagWarningThreshold"] = "00:00:00" });
        var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => db.Get<WebhookLag>());
        Assert.Contains("Webhooks:LagWarningThreshold", refused.Message);
    }
}

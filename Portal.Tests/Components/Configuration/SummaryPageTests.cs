using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Components.Pages.Configuration;
using Portal.Core.Logging;
using Portal.Core.Persistence;
using Portal.Core.Settings;
using Portal.Tests.Infrastructure;
using LogLevel = Portal.Core.Logging.LogLevel;

namespace Portal.Tests.Components.Configuration;

/// The Summary tab's log box tells ops what the retention purge has done and what it has yet to do.
public sealed class SummaryPageTests : DatabaseComponentTest
{
    private IRenderedComponent<SummaryPage> RenderAsAdmin()
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("admin@portal.test");
        auth.SetRoles("Administrator");
        return Render<SummaryPage>();
    }

    [Fact]
    public async Task ShowsEntriesWaitingForThePurgeAndThenWhatTheLastPurgeDid()
    {
        var log = Database.Get<IntegrationLog>();
        await Database.Get<SettingsStore>().SaveAsync(LoggerSettings.Key, new LoggerSettings { RetentionDays = 7 }, "admin"); // audited: one entry
        log.Write(LogLevel.Info, LogCategories.Webhook, "Received incident.triggered for incident 1");
        await log.FlushAsync();
        Database.Clock.Advance(TimeSpan.FromDays(8));
        log.Write(LogLevel.Info, LogCategories.Webhook, "Received incident.triggered for incident 2");
        await log.FlushAsync();

        var before = RenderAsAdmin();
        before.WaitForAssertion(() => Assert.Equal(
            "The purge runs at start and every hour. 2 entries are past the retention and waiting for the purge.", before.Find("#log-purge").TextContent));

        Assert.Equal(2, await log.PurgeAsync());
        var after = Render<SummaryPage>();
        after.WaitForAssertion(() => Assert.Matches(
            @"^The last purge finished 2026-03-10 10:00 UTC: 2 expired entries deleted in [0-9.]+ s\.$", after.Find("#log-purge").TextContent));
        Assert.StartsWith("1 entry, the oldest from 2026-03-10 10:00 UTC", after.Find("#log-entries").TextContent);
    }

    [Fact]
    public async Task SaysHowFarWebhookProcessingIsBehindAndWhenThatIsOverTheThreshold()
    {
        var idle = RenderAsAdmin();
        idle.WaitForAssertion(() => Assert.Equal("Processing keeps up: no delivery is waiting.", idle.Find("#webhook-lag").TextContent.Trim()));

        await using (var db = await Database.ContextAsync())
        {
            db.WebhookEvents.Add(new Portal.Core.Webhooks.WebhookEventEntity
            {
                EventId = "E-WAITING", EventType = "incident.triggered", Body = "{}", ReceivedUtc = Database.Clock.GetUtcNow().UtcDateTime.AddSeconds(-45),
            });
            await db.SaveChangesAsync();
        }
        var behind = Render<SummaryPage>();
        behind.WaitForAssertion(() => Assert.Equal(
            "Processing lag: 45 s (1 delivery waiting), over the warning threshold of 30 s: what the console shows is that old.",
            System.Text.RegularExpressions.Regex.Replace(behind.Find("#webhook-lag").TextContent, @"\s+", " ").Trim()));
        Assert.Contains("mud-warning-text", behind.Find("#webhook-lag").ClassList);
    }

    [Fact]
    public async Task APurgeThatFoundNothingSaysSo()
    {
        await Database.Get<IntegrationLog>().PurgeAsync();
        var cut = RenderAsAdmin();
        cut.WaitForAssertion(() => Assert.Equal("The last purge ran 2026-03-02 10:00 UTC: nothing had expired.", cut.Find("#log-purge").TextContent));
        Assert.Empty(cut.FindAll("#log-lost")); // nothing was dropped, so nothing is said about it
    }

    [Fact]
    public void SaysHowManyEntriesTheLogWriterDroppedSinceStart()
    {
        var log = new IntegrationLog(Database.Get<IDbContextFactory<PortalDbContext>>(), Database.Get<SettingsStore>(),
            Database.Get<Portal.Core.Notifications.ChangeNotifier>(), Database.Clock, Database.Get<Portal.Core.Telemetry.PortalMetrics>(),
            NullLogger<IntegrationLog>.Instance, capacity: 1);
        Services.AddSingleton(log);
        for (var i = 0; i < 4; i++) log.Write(LogLevel.Info, LogCategories.Webhook, $"Received incident.triggered for incident {i}");

        var cut = RenderAsAdmin();
        cut.WaitForAssertion(() => Assert.Equal("3 log entries were dropped since start because the log writer fell behind.", cut.Find("#log-lost").TextContent));
    }
}

using Portal.Core.PagerDuty;
using Portal.Core.StatusDashboard;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.StatusDashboard;

/// One row per status update, whichever side tells Portal first: the webhook or the answer to Portal's own post.
public sealed class IncidentStatusUpdatesTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.WithPagerDutyAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private IncidentStatusUpdates Updates => _db.Get<IncidentStatusUpdates>();

    [Fact]
    public async Task StoresAReceivedUpdateOnceHoweverOftenItArrives()
    {
        var update = new WebhookStatusUpdate("PSU0001", "Investigating.", By: "Ben");
        Assert.True(await Updates.StoreReceivedAsync("Q1", update, _db.Clock.GetUtcNow()));
        Assert.False(await Updates.StoreReceivedAsync("Q1", update, _db.Clock.GetUtcNow()));

        var stored = Assert.Single(await Updates.ForIncidentAsync("Q1"));
        Assert.Equal(new StatusUpdateDto("Q1", "Investigating.", _db.Clock.GetUtcNow().UtcDateTime, StatusUpdateSources.Webhook, "Ben"), stored);
    }

    [Fact]
    public async Task ThePostsAnswerAndItsWebhookAreOneUpdateWhicheverComesFirst()
    {
        await Updates.StorePostedAsync("Q1", new PdStatusUpdate("PSU0001", "Rolling back.", null, "Portal Integration"), "agent@portal.test");
        Assert.False(await Updates.StoreReceivedAsync("Q1", new WebhookStatusUpdate("PSU0001", "Rolling back.", By: "Portal Integration"), null));

        Assert.True(await Updates.StoreReceivedAsync("Q2", new WebhookStatusUpdate("PSU0002", "Rolled back.", By: "Portal Integration"), null));
        await Updates.StorePostedAsync("Q2", new PdStatusUpdate("PSU0002", "Rolled back.", null, "Portal Integration"), "agent@portal.test");

        foreach (var incident in new[] { "Q1", "Q2" })
        {
            var stored = Assert.Single(await Updates.ForIncidentAsync(incident));
            Assert.Equal((StatusUpdateSources.Portal, "agent@portal.test"), (stored.Source, stored.Author));
        }
    }

    [Fact]
    public async Task MatchesAPostWhoseAnswerHeldNoIdByItsMessage()
    {
        await Updates.StorePostedAsync("Q1", new PdStatusUpdate(null, "Rolling back.", null, null), "rule");
        Assert.False(await Updates.StoreReceivedAsync("Q1", new WebhookStatusUpdate("PSU0001", "Rolling back."), _db.Clock.GetUtcNow()));
        // another update with the same words later is a new one
        Assert.True(await Updates.StoreReceivedAsync("Q1", new WebhookStatusUpdate("PSU0002", "Rolling back."), _db.Clock.GetUtcNow()));

        Assert.Equal(2, (await Updates.ForIncidentAsync("Q1")).Count);
    }

    [Fact]
    public async Task GivesTheLatestUpdateOfEachIncident()
    {
        await Updates.StoreReceivedAsync("Q1", new WebhookStatusUpdate("PSU0001", "First."), _db.Clock.GetUtcNow());
        await Updates.StoreReceivedAsync("Q1", new WebhookStatusUpdate("PSU0002", "Second."), _db.Clock.GetUtcNow().AddMinutes(3));
        await Updates.StoreReceivedAsync("Q2", new WebhookStatusUpdate("PSU0003", "Other."), _db.Clock.GetUtcNow());

        var latest = await Updates.LatestAsync(["Q1", "Q2", "Q3"]);

        Assert.Equal(("Second.", "Other."), (latest["Q1"].Message, latest["Q2"].Message));
        Assert.False(latest.ContainsKey("Q3"));
    }

    [Fact]
    public async Task MarksATrimmedMessage()
    {
        await Updates.StoreReceivedAsync("Q1", new WebhookStatusUpdate("PSU0001", "A very long", Trimmed: true), null);
        Assert.Equal("A very long …", Assert.Single(await Updates.ForIncidentAsync("Q1")).Message);
    }
}

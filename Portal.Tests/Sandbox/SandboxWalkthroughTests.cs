using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.Logging;
using Portal.Core.PagerDuty;
using Portal.Core.Sandbox;
using Portal.Core.Security;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Sandbox;

/// The original's last step in the sandbox: subscribe to webhooks, send a test and see it arrive; trigger, annotate
/// and escalate an incident as the responder, and see each arrive as a webhook received.
public class SandboxWalkthroughTests : OnEitherDatabase, IAsyncLifetime
{
    private TestDatabase _db = default!;
    private ClaimsPrincipal _admin = default!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.WithPagerDutyAsync(postgres: await PostgresAsync());
        _admin = TestAccounts.PrincipalOf(await _db.AddAccountAsync(Roles.Administrator, "admin@portal.test"));
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private WebhookSubscriptions Subscriptions => _db.Get<WebhookSubscriptions>();

    private async Task<IReadOnlyList<LogEntryDto>> WebhookLogAsync(string? incidentId = null)
    {
        await _db.Get<IntegrationLog>().FlushAsync();
        return (await _db.Get<IntegrationLog>().QueryAsync(new LogQuery(Category: LogCategories.Webhook, IncidentId: incidentId, OldestFirst: true))).Entries;
    }

    [Fact]
    public async Task ASandboxSubscriptionIsStoredListedAfterARestartAndRemovable()
    {
        var created = await Subscriptions.SubscribeAsync("http://localhost:5000/", "account_reference", null, _admin);
        Assert.StartsWith("PSBXW", created.Id);
        Assert.Equal("http://localhost:5000/api/webhooks/pagerduty", created.Url);
        Assert.NotNull(created.Secret);
        await using (var db = await _db.ContextAsync())
        {
            var row = await db.SandboxWebhookSubscriptions.SingleAsync();
            Assert.DoesNotContain(created.Secret!, row.EncryptedSecret);
            Assert.Contains("incident.escalated", row.EventsJson);
        }

        _db = await _db.RestartAsync();

        var status = await _db.Get<WebhookSubscriptions>().StatusAsync();
        Assert.Equal(created.Id, status.Stored.Id);
        Assert.NotNull(status.Live);
        Assert.Equal((created.Url, true, false), (status.Live.Url, status.Live.Active, status.Live.TemporarilyDisabled));
        Assert.Equal(created.Id, Assert.Single(await _db.Get<SandboxPagerDuty>().ListWebhookSubscriptionsAsync(default)).Id);

        await _db.Get<WebhookSubscriptions>().RemoveAsync(created.Id, _admin);

        Assert.Empty(await _db.Get<SandboxPagerDuty>().ListWebhookSubscriptionsAsync(default));
        var after = await _db.Get<WebhookSubscriptions>().StatusAsync();
        Assert.Null(after.Stored.Id);
        Assert.Null(after.Live);
    }

    [Fact]
    public async Task ASubscriptionTheAccountNoLongerHasIsForgottenOnRemoveSoThatPortalCanSubscribeAgain()
    {
        var created = await Subscriptions.SubscribeAsync("http://localhost:5000/", "account_reference", null, _admin);
        // gone from the account behind Portal's back (as one made in the sandbox is, seen from a live account)
        await _db.Get<SandboxPagerDuty>().DeleteWebhookSubscriptionAsync(created.Id, default);
        Assert.Null((await Subscriptions.StatusAsync()).Live);

        await Subscriptions.RemoveAsync(created.Id, _admin);

        Assert.Null((await Subscriptions.StatusAsync()).Stored.Id);
        await _db.Get<IntegrationLog>().FlushAsync();
        Assert.Contains((await _db.Get<IntegrationLog>().QueryAsync(new LogQuery(Category: LogCategories.Config))).Entries,
            l => l.Message == $"admin@portal.test removed the webhook subscription {created.Id} (PagerDuty no longer had it)");
        // a subscription Portal never stored is still PagerDuty's to refuse
        Assert.Equal(404, (await Assert.ThrowsAsync<PagerDutyException>(() => Subscriptions.RemoveAsync("PSBXWNOSUCH", _admin))).StatusCode);
        Assert.StartsWith("PSBXW", (await Subscriptions.SubscribeAsync("http://localhost:5000/", "account_reference", null, _admin)).Id);
    }

    [Fact]
    public async Task SubscribingInTheSandboxIsAnAdministratorsAndNeedsAnAddress()
    {
        var manager = TestAccounts.PrincipalOf(await _db.AddAccountAsync(Roles.Manager, "manny@portal.test"));

        await Assert.ThrowsAsync<PortalForbiddenException>(() => Subscriptions.SubscribeAsync("http://localhost:5000/", "account_reference", null, manager));
        var bad = await Assert.ThrowsAsync<PortalValidationException>(() => Subscriptions.SubscribeAsync("not an address", "account_reference", null, _admin));
        Assert.Contains("publicUrl", bad.Errors.Keys);

        Assert.Empty(await _db.Get<SandboxPagerDuty>().ListWebhookSubscriptionsAsync(default));
        Assert.Null((await Subscriptions.StatusAsync()).Stored.Id);
    }

    [Fact]
    public async Task ASandboxTestEventArrivesSignedAtTheIntakeAndIsLoggedAsReceived()
    {
        var created = await Subscriptions.SubscribeAsync("http://localhost:5000/", "account_reference", null, _admin);
        var pinged = new List<DateTimeOffset?>();
        using var _ = _db.Get<Core.Notifications.ChangeNotifier>().Subscribe<Core.Notifications.WebhookPingReceived>(p => pinged.Add(_db.Get<WebhookIntake>().LastPing));

        await Subscriptions.PingAsync(created.Id, _admin);

        Assert.Equal(_db.Clock.GetUtcNow(), _db.Get<WebhookIntake>().LastPing);
        Assert.NotEmpty(pinged);
        var received = Assert.Single(await WebhookLogAsync(), l => l.Message.StartsWith("Received pagey.ping", StringComparison.Ordinal));
        Assert.Equal(("Info", "Received pagey.ping (a test event); nothing to process"), (received.Level, received.Message));
        Assert.StartsWith("PSBXD", received.Details!.Value.GetProperty("webhookId").GetString());
        Assert.DoesNotContain(created.Secret!, received.Details.Value.GetRawText());
    }

    [Fact]
    public async Task ASandboxTestEventSignedWithASecretPortalDoesNotKnowIsRefusedUnderWebhook()
    {
        // made in the sandbox account behind Portal's back: Portal never stored its signing secret
        var stranger = await _db.Get<SandboxPagerDuty>().CreateWebhookSubscriptionAsync("http://elsewhere.example/api/webhooks/pagerduty", "account_reference", null,
            WebhookSubscriptions.Events, default);

        await _db.Get<SandboxPagerDuty>().PingWebhookSubscriptionAsync(stranger.Id, default);

        Assert.Null(_db.Get<WebhookIntake>().LastPing);
        var log = await WebhookLogAsync();
        Assert.DoesNotContain(log, l => l.Message.StartsWith("Received", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Message == "Refused a webhook delivery: X-PagerDuty-Signature matches no known signing secret.");
        var missing = await Assert.ThrowsAsync<PagerDutyException>(() => _db.Get<SandboxPagerDuty>().PingWebhookSubscriptionAsync("PSBXWNOSUCH", default));
        Assert.Equal(404, missing.StatusCode);
    }

    [Fact]
    public async Task TheResponderTriggersAnIncidentOnAChosenServiceAndPortalReceivesIncidentTriggered()
    {
        var incident = await _db.Get<SandboxResponder>().TriggerAsync("PSBXPAY", "  Card payments time out ", "low", _admin);

        Assert.Equal(("Card payments time out", "Payments", "low", "triggered"), (incident.Title, incident.ServiceName, incident.Urgency, incident.Status));
        await AssertRaisedAndReceivedAsync(incident, "incident.triggered");
    }

    [Fact]
    public async Task TheResponderAddsANoteAndPortalReceivesIncidentAnnotated()
    {
        var incident = await _db.Get<SandboxResponder>().TriggerAsync("PNE3JZM", "Checkout slow", "high", _admin);

        var note = await _db.Get<SandboxResponder>().AddNoteAsync(incident.Id, "Rolling back release 42", _admin);

        Assert.Equal("Rolling back release 42", Assert.Single(await _db.Get<SandboxPagerDuty>().ListNotesAsync(incident.Id, default), n => n.Id == note.Id).Content);
        // a note's delivery names its incident by a reference, without the number (as PagerDuty's does)
        await AssertRaisedAndReceivedAsync(incident, "incident.annotated", incident.Id);
    }

    [Fact]
    public async Task TheResponderEscalatesToALevelAndPortalReceivesIncidentEscalated()
    {
        var incident = await _db.Get<SandboxResponder>().TriggerAsync("PNE3JZM", "Checkout slow", "high", _admin);

        var escalated = await _db.Get<SandboxResponder>().EscalateAsync(incident.Id, 2, _admin);

        // level 1 of Checkout on-call is Sam Responder; level 2 the next of the account's users
        Assert.Equal(["Sam Responder"], incident.AssigneeNames);
        Assert.Equal(["Alex On-call"], escalated.AssigneeNames);

        Assert.Contains(await _db.Get<SandboxPagerDuty>().ListLogEntriesAsync(incident.Id, default), e => e.Type == "escalate_log_entry" && e.Summary.StartsWith("Escalated to level 2"));
        await AssertRaisedAndReceivedAsync(incident, "incident.escalated");
    }

    /// The event is stored as a pending delivery, logged as received like PagerDuty's, and processed (Portal's PagerDuty rules run on it).
    private async Task AssertRaisedAndReceivedAsync(PdIncident incident, string eventType, string? named = null)
    {
        await using (var db = await _db.ContextAsync())
            Assert.Equal(WebhookEventStates.Pending,
                (await db.WebhookEvents.AsNoTracking().Where(e => e.IncidentId == incident.Id).OrderBy(e => e.Id).LastAsync()).State);
        var processed = new List<string>();
        using (_db.Get<Core.Notifications.ChangeNotifier>().Subscribe<Core.Notifications.IncidentEventProcessed>(e => processed.Add(e.Event.EventType)))
            await _db.DrainEventsAsync();
        Assert.Equal(eventType, processed.Last());

        var received = Assert.Single(await WebhookLogAsync(incident.Id), l => l.Message == $"Received {eventType} for incident {named ?? incident.Number.ToString()}");
        Assert.Equal("Info", received.Level);
        Assert.Equal(eventType, received.Details!.Value.GetProperty("eventType").GetString());
    }

    [Fact]
    public async Task TheResponderIsRefusedBadInputByFieldAndAnAuditorAltogether()
    {
        var responder = _db.Get<SandboxResponder>();
        var bad = await Assert.ThrowsAsync<PortalValidationException>(() => responder.TriggerAsync("PNOSUCH", " ", "urgent", _admin));
        Assert.Equal(["serviceId", "title", "urgency"], bad.Errors.Keys.Order());
        var incident = await responder.TriggerAsync("PNE3JZM", "Checkout slow", "high", _admin);
        Assert.Contains("note", (await Assert.ThrowsAsync<PortalValidationException>(() => responder.AddNoteAsync(incident.Id, "  ", _admin))).Errors.Keys);
        Assert.Contains("level", (await Assert.ThrowsAsync<PortalValidationException>(() => responder.EscalateAsync(incident.Id, 0, _admin))).Errors.Keys);

        var auditor = TestAccounts.PrincipalOf(await _db.AddAccountAsync(Roles.Auditor, "audrey@portal.test"));
        await Assert.ThrowsAsync<PortalForbiddenException>(() => responder.TriggerAsync("PNE3JZM", "Checkout slow", "high", auditor));
        await Assert.ThrowsAsync<PortalForbiddenException>(() => responder.AddNoteAsync(incident.Id, "A note", auditor));
        await Assert.ThrowsAsync<PortalForbiddenException>(() => responder.EscalateAsync(incident.Id, 2, auditor));

        // only the one good trigger reached the sandbox
        Assert.Equal(incident.Id, Assert.Single(await _db.Get<SandboxPagerDuty>().ListIncidentsAsync(10, default)).Id);
        await using var db = await _db.ContextAsync();
        Assert.Equal(["incident.triggered"], await db.WebhookEvents.Select(e => e.EventType).ToListAsync());
    }
}

[Collection(PostgresCollection.Name)]
public sealed class SandboxWalkthroughOnPostgresTests(PostgresCluster cluster) : SandboxWalkthroughTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}

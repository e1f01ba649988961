using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Persistence;
using Portal.Core.Settings;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;

namespace Portal.Tests.Webhooks;

public sealed class WebhookSubscriptionTests : IAsyncLifetime
{
    private FakePagerDutyServer _pagerDuty = default!;
    private PortalAppFactory _portal = default!;

    public async Task InitializeAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        _portal = new PortalAppFactory(settings: new Dictionary<string, string?>
        {
            ["PagerDuty:ApiKey"] = FakePagerDutyServer.DefaultApiKey,
            ["PagerDuty:BaseUrl"] = _pagerDuty.BaseUrl.ToString(),
            ["PagerDuty:FromEmail"] = FakePagerDutyServer.IntegrationEmail,
        });
        _portal.CreateClient().Dispose();
    }

    public async Task DisposeAsync()
    {
        _portal.Dispose();
        await _pagerDuty.DisposeAsync();
    }

    private WebhookSubscriptions Subscriptions => _portal.Services.GetRequiredService<WebhookSubscriptions>();

    [Fact]
    public async Task SubscribesStoresTheSecretEncryptedAndAcceptsDeliveriesSignedWithIt()
    {
        var created = await Subscriptions.SubscribeAsync("https://portal.example.com/", "account_reference", null, "admin");
        var remote = Assert.Single(_pagerDuty.Subscriptions);
        Assert.Equal("https://portal.example.com/api/webhooks/pagerduty", remote.Url);
        Assert.Contains("incident.triggered", remote.Events);
        Assert.Contains("incident.annotated", remote.Events);
        Assert.Equal(created.Id, (await Subscriptions.StatusAsync()).Stored.Id);

        var stored = await _portal.Services.GetRequiredService<SettingsStore>().GetAsync(StoredSubscription.Key, () => new StoredSubscription());
        Assert.NotNull(stored.EncryptedSecret);
        Assert.DoesNotContain(remote.Secret, stored.EncryptedSecret);
        await using (var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
            Assert.DoesNotContain(await db.Settings.Select(s => s.Value).ToListAsync(), v => v.Contains(remote.Secret));

        var body = WebhookIntakeTests.Capture("incident.triggered");
        using var client = _portal.CreateClientAs(null);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/pagerduty") { Content = new ByteArrayContent(body) };
        request.Headers.Add("X-PagerDuty-Signature", WebhookSignature.Sign(body, remote.Secret));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task ListsOtherSubscriptionsToThisPortalAndRemovesThem()
    {
        await Subscriptions.SubscribeAsync("https://portal.example.com", "account_reference", null, "admin");
        _pagerDuty.Subscriptions.Add(new FakeSubscription("POLD001", "https://portal.example.com/api/webhooks/pagerduty", "service_reference", "PNE3JZM",
            ["incident.triggered"], "old-secret"));
        _pagerDuty.Subscriptions.Add(new FakeSubscription("POTHER1", "https://elsewhere.example.com/hook", "account_reference", null, ["incident.triggered"], "x"));

        var status = await Subscriptions.StatusAsync();
        Assert.Equal("POLD001", Assert.Single(status.Others).Id);
        await Subscriptions.RemoveAsync("POLD001", "admin");
        Assert.DoesNotContain(_pagerDuty.Subscriptions, s => s.Id == "POLD001");
        Assert.Empty((await Subscriptions.StatusAsync()).Others);

        await Subscriptions.PingAsync(status.Stored.Id!, "admin");
        Assert.Equal([status.Stored.Id!], _pagerDuty.Pings);
        await Subscriptions.RemoveAsync(status.Stored.Id!, "admin");
        Assert.Null((await Subscriptions.StatusAsync()).Stored.Id);
    }

    [Theory]
    [InlineData("not a url", "account_reference", null, "publicUrl")]
    [InlineData("https://portal.example.com", "service_reference", null, "filterId")]
    [InlineData("https://portal.example.com", "everything", null, "filterType")]
    public async Task RefusesABadSubscriptionRequestNamingTheInput(string url, string filterType, string? filterId, string field)
    {
        var error = await Assert.ThrowsAsync<PortalValidationException>(() => Subscriptions.SubscribeAsync(url, filterType, filterId, "admin"));
        Assert.Equal(field, error.Field);
        Assert.Empty(_pagerDuty.Subscriptions);
    }
}

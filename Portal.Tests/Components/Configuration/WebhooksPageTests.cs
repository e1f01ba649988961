using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Components.Pages.Configuration;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;

namespace Portal.Tests.Components.Configuration;

/// Issue 19, small slips: a PagerDuty that cannot be reached is not said to have refused anything.
public sealed class WebhooksPageTests : PortalComponentTest
{
    private FakePagerDutyServer _pagerDuty = default!;
    private TestDatabase _db = default!;

    private async Task<TestDatabase> LiveAtAsync(string baseUrl)
    {
        _db = await TestDatabase.WithPagerDutyAsync(new Dictionary<string, string?>
        {
            ["PagerDuty:ApiKey"] = FakePagerDutyServer.DefaultApiKey,
            ["PagerDuty:BaseUrl"] = baseUrl,
            ["PagerDuty:FromEmail"] = FakePagerDutyServer.IntegrationEmail,
        });
        Services.AddSingleton(_db.Get<Portal.Core.Webhooks.WebhookSubscriptions>());
        Services.AddSingleton(_db.Get<Portal.Core.Webhooks.WebhookIntake>());
        Services.AddSingleton(_db.Get<Portal.Core.Notifications.ChangeNotifier>());
        Services.AddSingleton(_db.Get<Portal.Core.PagerDuty.PagerDutyConnection>());
        this.SignIn(await _db.AddAccountAsync(Roles.Administrator, $"{Guid.NewGuid():n}@portal.test"));
        return _db;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
        if (_pagerDuty is not null) await _pagerDuty.DisposeAsync();
    }

    private IReadOnlyList<string> SubscribeAndSnackbars(Action? beforeTheClick = null)
    {
        Render<MudPopoverProvider>();
        var cut = Render<WebhooksPage>();
        cut.WaitForElement("#public-url").Input("https://portal.example.com/");
        beforeTheClick?.Invoke();
        cut.Find("#subscribe").Click();
        var snackbars = Services.GetRequiredService<ISnackbar>();
        cut.WaitForAssertion(() => Assert.NotEmpty(snackbars.ShownSnackbars));
        return [.. snackbars.ShownSnackbars.Select(s => s.Message ?? "")];
    }

    [Fact]
    public async Task ANetworkFailureSaysPagerDutyCouldNotBeReached()
    {
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there now: the connection is refused at once
        await LiveAtAsync($"http://127.0.0.1:{port}/");

        var message = Assert.Single(SubscribeAndSnackbars());
        Assert.StartsWith("PagerDuty could not be reached", message);
        Assert.DoesNotContain("refused:", message);
    }

    [Fact]
    public async Task APagerDutyRefusalSaysSoInItsWords()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        await LiveAtAsync(_pagerDuty.BaseUrl.ToString());

        var message = Assert.Single(SubscribeAndSnackbars(() =>
            _pagerDuty.AnswerNext(FakeAnswer.Error(403, "Access Denied", 2010, "Your API key cannot create webhook subscriptions"))));
        Assert.Equal("PagerDuty refused (403): Access Denied: Your API key cannot create webhook subscriptions", message);
    }
}

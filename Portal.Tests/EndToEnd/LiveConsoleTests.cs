using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Records;
using Portal.Core.Security;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;
using Portal.Tests.Webhooks;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.EndToEnd;

/// The agent's day against the live API (the strict fake PagerDuty) with webhooks coming back signed.
[Collection(BrowserCollection.Name)]
public sealed class LiveConsoleTests(BrowserFixture browser)
{
    private const string Secret = "live-console-webhook-secret-0123456789";

    [Fact]
    public async Task AgentCreatesActsSeesTheStatusUpdateArriveAndLinksTheIncidentToASecondCase()
    {
        await using var pagerDuty = await FakePagerDutyServer.StartAsync();
        pagerDuty.BusinessServices.Add(new FakeBusinessService("PBSPAY1", "Online payments", Impacted: true, HighestImpactingPriorityId: "P2"));
        using var portal = new PortalAppFactory(settings: new Dictionary<string, string?>
        {
            ["PagerDuty:ApiKey"] = FakePagerDutyServer.DefaultApiKey,
            ["PagerDuty:BaseUrl"] = pagerDuty.BaseUrl.ToString(),
            ["PagerDuty:FromEmail"] = FakePagerDutyServer.IntegrationEmail,
            ["PagerDuty:WebhookSecrets:0"] = Secret,
        });
        var baseUrl = portal.StartKestrel();
        var services = portal.Services;
        await services.GetRequiredService<AccountService>().CreateAsync("lena@portal.test", "Lena-Passw0rd!", Roles.User);
        var records = services.GetRequiredService<RecordStore>();
        var first = await records.CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Card payments declined at checkout","Priority":"Low"}""").RootElement, new ChangeActor("seed"));
        var second = await records.CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Refund shows as failed","Priority":"Low"}""").RootElement, new ChangeActor("seed"));

        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, baseUrl, "lena@portal.test", "Lena-Passw0rd!");
        await BrowserFixture.GotoInteractiveAsync(page, $"{baseUrl}/records/Case/{first.Id}");
        await page.ClickAsync("#open-create-incident");
        await BrowserFixture.ChooseAsync(page, "#incident-service", "Payments");
        await page.ClickAsync("#create-incident");
        var linked = page.Locator("#linked-incidents .linked-incident").Filter(new() { HasTextString = "Card payments declined at checkout" });
        await Expect(linked).ToContainTextAsync("triggered", new() { Timeout = 15_000 });
        var incident = Assert.Single(pagerDuty.Incidents);

        await OpenActionAsync(page, linked, "Acknowledge");
        await page.ClickAsync("#console-confirm");
        await Expect(linked).ToContainTextAsync("acknowledged", new() { Timeout = 15_000 });
        await OpenActionAsync(page, linked, "Add note");
        await page.FillAsync("#console-text", "Acquirer confirms a partial outage.");
        await page.ClickAsync("#console-confirm");
        await WaitAsync(() => incident.Notes.Count == 1);

        // PagerDuty's on-call publishes a status update: the webhook arrives and the page shows it without a reload
        var body = StatusUpdateWebhookTests.Body("01LIVECONSOLE0000000000001", "PSU0001", "Payments recovering; retry declined cards in 15 minutes.")
            .Replace("Q2CKYRLH85UNN4", incident.Id, StringComparison.Ordinal).Replace("Checkout is slow", incident.Title, StringComparison.Ordinal);
        await DeliverAsync(baseUrl, body);
        await Expect(linked.Locator(".incident-status-update")).ToContainTextAsync("Payments recovering; retry declined cards in 15 minutes.",
            new() { Timeout = 15_000 });

        // the same outage explains the second customer's case: the incident is impacting a business service there
        pagerDuty.IncidentImpacts[incident.Id] = ["PBSPAY1"];
        await BrowserFixture.GotoInteractiveAsync(page, $"{baseUrl}/records/Case/{second.Id}");
        var payments = page.Locator(".business-service").Filter(new() { HasTextString = "Online payments" });
        await Expect(payments).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bimpacted\\b"), new() { Timeout = 15_000 });
        await page.FillAsync("#existing-incident", incident.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("#link-existing");
        await Expect(page.Locator("#linked-incidents .linked-incident")).ToContainTextAsync($"#{incident.Number}", new() { Timeout = 15_000 });
        await Expect(page.Locator("#linked-incidents .incident-status-update")).ToContainTextAsync("Payments recovering");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("combined-console.png"), FullPage = true });

        Assert.Equal(incident.Id, Assert.Single((await records.GetAsync("Case", first.Id)).Incidents).IncidentId);
        Assert.Equal(incident.Id, Assert.Single((await records.GetAsync("Case", second.Id)).Incidents).IncidentId);
        Assert.Single(pagerDuty.Incidents); // linking looked the incident up; it created nothing
    }

    private static async Task DeliverAsync(string baseUrl, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/pagerduty") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-PagerDuty-Signature", WebhookSignature.Sign(bytes, Secret));
        request.Headers.Add("X-Webhook-Id", Guid.NewGuid().ToString());
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        for (var i = 0; i < 150 && !condition(); i++) await Task.Delay(100);
        Assert.True(condition());
    }

    private static Task OpenActionAsync(IPage page, ILocator incident, string action) => CommandConsoleTests.OpenActionAsync(page, incident, action);
}

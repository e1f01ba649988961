using System.Text;
using Microsoft.Playwright;
using Portal.Tests.Infrastructure;
using Portal.Tests.Rulesets;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.EndToEnd;

/// The README's PostgreSQL command in a browser: the real portal process started on an empty PostgreSQL database
/// (`--Database:Provider=Postgres --ConnectionStrings:Portal=…`) migrates it, asks for its first Administrator, and
/// a high-priority case made in the page gets its incident from the paging rule, live.
[Collection(PostgresCollection.Name)]
public sealed class PostgresFirstRunTests(PostgresCluster cluster)
{
    [Fact]
    public async Task AnEmptyDatabaseAsksForTheAdministratorAndACaseMadeInThePageGetsItsIncident()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var portal = await PortalProcess.StartAsync("postgres-browser", databaseFile: null, new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Portal"] = database,
        });
        var baseUrl = portal.BaseUrl.ToString().TrimEnd('/');
        using (var http = portal.CreateClient())
            (await http.PutAsync("/api/rulesets", new StringContent(RulesWiringTests.ContractExample, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        using var playwright = await Playwright.CreateAsync();
        await using var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFixture.ChromiumPath, Headless = true, Args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
        });
        var context = await chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();

        await page.GotoAsync(baseUrl + "/login");
        await page.WaitForURLAsync(url => url.EndsWith("/setup"));
        await page.FillAsync("#email", "owner@portal.test");
        await page.FillAsync("#password", "Owner-Passw0rd");
        await page.FillAsync("#confirm", "Owner-Passw0rd");
        await page.ClickAsync("#create-admin");
        await Expect(page.Locator("#home-role")).ToHaveTextAsync("Administrator");

        await BrowserFixture.GotoInteractiveAsync(page, baseUrl + "/records/Case/new");
        await page.FillAsync("#field-Subject", "Checkout down on PostgreSQL");
        await page.FillAsync("#field-Priority", "High");
        await page.ClickAsync("#save-record");
        await Expect(page.Locator("#record-title")).ToContainTextAsync("Checkout down on PostgreSQL");
        // the rule's incident, made in the sandbox by the dispatcher, appears on the page without a reload
        await Expect(page.Locator("#linked-incidents .linked-incident")).ToHaveCountAsync(1);
        await Expect(page.Locator("#linked-incidents")).ToContainTextAsync("Checkout down on PostgreSQL");
    }
}

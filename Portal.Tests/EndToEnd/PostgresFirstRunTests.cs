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
        await using var chromium = await BrowserFixture.LaunchAsync(playwright);
        var page = await BrowserFixture.NewPageAsync(chromium, timeout: 20_000);

        await BrowserFixture.CreateFirstAdministratorAsync(page, baseUrl, "owner@portal.test", "Owner-Passw0rd");
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

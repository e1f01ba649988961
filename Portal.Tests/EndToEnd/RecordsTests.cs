using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Records;
using Portal.Core.Security;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class RecordsTests(BrowserFixture browser)
{
    private string BaseUrl => browser.Portal.BaseUrl;

    [Fact]
    public async Task AgentCreatesEditsAndCommentsOnACase()
    {
        var services = browser.Portal.Services;
        var catalog = services.GetRequiredService<ObjectCatalog>();
        if ((await catalog.GetAsync()).Get("Case").Field("FollowUpAt") is null)
            await catalog.AddFieldAsync("Case", new FieldDto("FollowUpAt", "Follow up at", "dateTime"));
        await services.GetRequiredService<AccountService>().CreateAsync("casey@portal.test", "Casey-Passw0rd", Roles.User);

        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, "casey@portal.test", "Casey-Passw0rd");
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/records/Case");
        await page.ClickAsync("#new-record");
        await page.WaitForURLAsync(url => url.Contains("/records/Case/new"));
        await BrowserFixture.WaitForInteractiveAsync(page);

        await page.FillAsync("#field-Subject", "Checkout page returns 502");
        await page.FillAsync("#field-Priority", "High");
        await page.ClickAsync("#save-record");
        await Expect(page.Locator("#record-title")).ToContainTextAsync("Checkout page returns 502");
        await Expect(page.Locator("#field-CaseNumber")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^[0-9]{8}$"));

        await page.FillAsync("#field-Status", "Working");
        await page.FillAsync("#field-FollowUpAt", "tomorrow morning");
        await page.ClickAsync("#save-record");
        await Expect(page.GetByText("Field 'FollowUpAt' is a dateTime; 'tomorrow morning' is not an ISO 8601 date and time.")).ToBeVisibleAsync();

        await page.FillAsync("#field-FollowUpAt", "2026-12-01T09:00:00Z");
        await page.ClickAsync("#save-record");
        await Expect(page.GetByText("Saved.")).ToBeVisibleAsync();

        await page.FillAsync("#new-comment", "Customer confirmed the 502s started at 09:40.");
        await page.ClickAsync("#add-comment");
        await Expect(page.Locator("#comments")).ToContainTextAsync("Customer confirmed the 502s started at 09:40.");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("record-page.png"), FullPage = true });

        var id = page.Url.Split('/').Last();
        var stored = await services.GetRequiredService<RecordStore>().GetAsync("Case", id);
        Assert.Equal("Working", stored.Fields["Status"]!.GetValue<string>());
        Assert.Equal("2026-12-01T09:00:00Z", stored.Fields["FollowUpAt"]!.GetValue<string>());

        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/records/Case");
        await page.FillAsync("#records-search", "returns 502");
        await Expect(page.Locator("#records-grid")).ToContainTextAsync("Checkout page returns 502");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("records-list.png") });
    }

    [Fact]
    public async Task ALongDescriptionIsSavedWholeAndTheLimitIsShownBesideTheField()
    {
        var page = await SignedInAsync("lena@portal.test", Roles.User, "/records/Case/new");

        // 20,000 characters of two UTF-8 bytes each: 40 KB in one input event, past SignalR's default 32 KB
        var description = new string('é', 20_000);
        await page.FillAsync("#field-Subject", "Long log pasted into the description");
        await page.FillAsync("#field-Description", description);
        await Expect(page.GetByText($"20000 / {RecordValues.MaxTextLength}")).ToBeVisibleAsync();
        await page.ClickAsync("#save-record");
        await Expect(page.Locator("#record-title")).ToContainTextAsync("Long log pasted into the description");

        var stored = await browser.Portal.Services.GetRequiredService<RecordStore>().GetAsync("Case", page.Url.Split('/').Last());
        Assert.Equal(description, stored.Fields["Description"]!.GetValue<string>());

        // past the limit the field itself refuses more, and says so
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/records/Case/new");
        await page.FillAsync("#field-Description", new string('x', RecordValues.MaxTextLength + 10));
        await Expect(page.Locator("#field-Description")).ToHaveAttributeAsync("maxlength", RecordValues.MaxTextLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.GetByText($"{RecordValues.MaxTextLength} / {RecordValues.MaxTextLength}")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task DoubleClickingCreateMakesOneRecord()
    {
        var page = await SignedInAsync("dora@portal.test", Roles.User, "/records/Case/new");
        await page.FillAsync("#field-Subject", "Double-clicked create");
        await page.DblClickAsync("#save-record");
        await Expect(page.Locator("#record-title")).ToContainTextAsync("Double-clicked create");

        // a second create would run in the same circuit, queued behind the first: the list page's own render comes after it
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/records/Case");
        await page.FillAsync("#records-search", "Double-clicked create");
        await Expect(page.Locator("#records-grid")).ToContainTextAsync("Double-clicked create");
        var found = await browser.Portal.Services.GetRequiredService<RecordStore>().ListAsync("Case", new RecordQuery(Search: "Double-clicked create"));
        Assert.Equal(1, found.Total);
    }

    [Fact]
    public async Task AuditorReadsObjectMappingsButCannotChangeThem()
    {
        var page = await SignedInAsync("audrey@portal.test", Roles.Auditor, "/config/object-mappings");
        await Expect(page.Locator("#object-types")).ToContainTextAsync("Case");
        await Expect(page.Locator("#save-integration")).ToHaveCountAsync(0);
        await Expect(page.Locator("#new-object-type")).ToHaveCountAsync(0);
    }

    /// A new account of `role`, signed in on a new page at `path` once it is interactive.
    [Fact]
    public async Task OneFormSentFromTwoTabsAtOnceMakesOneCase()
    {
        var page = await SignedInAsync("tabitha@portal.test", Roles.User, "/records/Case/new");
        // the form's submission id is in its address: a second tab on it (a reload, another circuit) is the same form
        await page.WaitForURLAsync(url => url.Contains("submission="));
        var form = page.Url;
        var second = await page.Context.NewPageAsync();
        await BrowserFixture.GotoInteractiveAsync(second, form);

        const string subject = "Checkout 502s sent from two tabs";
        foreach (var tab in new[] { page, second })
        {
            await tab.FillAsync("#field-Subject", subject);
            await tab.FillAsync("#field-Priority", "High");
        }
        await Task.WhenAll(page.ClickAsync("#save-record"), second.ClickAsync("#save-record"));
        await Expect(page.Locator("#record-title")).ToContainTextAsync(subject);
        await Expect(second.Locator("#record-title")).ToContainTextAsync(subject);
        Assert.Equal(page.Url, second.Url);
        var made = await browser.Portal.Services.GetRequiredService<RecordStore>().ListAsync("Case", new RecordQuery(Search: subject));
        Assert.Equal(1, made.Total);

        // opened again (Back, a reload after a lost connection), the form says what it made and sends nothing more
        await BrowserFixture.GotoInteractiveAsync(second, form);
        await Expect(second.Locator("#already-submitted")).ToContainTextAsync(
            $"This form was already submitted: it created Case {made.Records[0].Fields["CaseNumber"]}.");
        await Expect(second.Locator("#save-record")).ToBeDisabledAsync();
        await second.ClickAsync("#new-form");
        await second.WaitForURLAsync(url => url.Contains("submission=") && url != form);
    }

    private async Task<IPage> SignedInAsync(string email, string role, string path)
    {
        const string password = "Records-Passw0rd";
        await browser.Portal.Services.GetRequiredService<AccountService>().CreateAsync(email, password, role);
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, email, password);
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + path);
        return page;
    }
}

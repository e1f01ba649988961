using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Rulesets;
using Portal.Core.Security;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class RulesetsTests(BrowserFixture browser)
{
    private string BaseUrl => browser.Portal.BaseUrl;

    [Fact]
    public async Task ManagerBuildsTheContractExampleSavesExportsReimportsAndDryRunsIt()
    {
        await browser.Portal.Services.GetRequiredService<AccountService>().CreateAsync("mona@portal.test", "Mona-Passw0rd-1", Roles.Manager);
        // other browser tests share this portal: start from no rules, as a new user would
        var setUp = await browser.Portal.Services.GetRequiredService<RulesetStore>().SaveAsync("""{"schemaVersion":1,"rulesets":[]}""", "test set-up");
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, "mona@portal.test", "Mona-Passw0rd-1");
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/rulesets");

        await page.ClickAsync("#add-ruleset");
        await page.FillAsync("#ruleset-0-name", "SFDC > PD");
        await page.ClickAsync("#ruleset-0-add-rule");
        await page.FillAsync("#rule-name", "Page support for high-priority cases");

        await page.ClickAsync("#add-condition");
        await BrowserFixture.ChooseAsync(page, "#condition-0-field", "Priority (text)");
        await page.FillAsync("#condition-0-value", "High");
        await page.ClickAsync("#add-condition");
        await BrowserFixture.ChooseAsync(page, "#condition-1-field", "Status (text)");
        await BrowserFixture.ChooseAsync(page, "#condition-1-operator", "notEquals");
        await page.FillAsync("#condition-1-value", "Closed");

        await page.ClickAsync("#add-action");
        // PagerDuty's services are searched by name; the id is what is stored
        await page.FillAsync("#action-0-serviceId", "check");
        await Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(1);
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextString = "Checkout (PNE3JZM)" }).ClickAsync();
        await Expect(page.Locator("#action-0-serviceId")).ToHaveValueAsync("Checkout (PNE3JZM)");
        await BrowserFixture.ChooseAsync(page, "#action-0-urgency", "high");
        await page.ClickAsync("#action-0-custom-title");
        await page.FillAsync("#action-0-title-prefix", "Case");
        await BrowserFixture.ChooseAsync(page, "#action-0-title-field-0", "Case Number");
        await BrowserFixture.ChooseAsync(page, "#action-0-title-field-1", "Subject");
        await Expect(page.Locator("#action-0-title-preview")).ToContainTextAsync("Case ‹CaseNumber› ‹Subject›");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("rule-editor.png") });
        await page.ClickAsync("#apply-rule");

        await page.ClickAsync("#save-rules");
        // the version in force before the click is the set-up's: wait for the one this save made
        await Expect(page.Locator("#rules-version")).ToHaveTextAsync($"Version {setUp.Version + 1} in force");

        var exported = await page.APIRequest.GetAsync(BaseUrl + "/api/rulesets/export");
        Assert.True(exported.Ok);
        var body = await exported.TextAsync();
        var contract = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Rules", "TestData", "contract-example.json"));
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(contract).RootElement, JsonDocument.Parse(body).RootElement), body);

        var versionsBefore = (await browser.Portal.Services.GetRequiredService<RulesetStore>().VersionsAsync()).Count;
        await page.GetByRole(AriaRole.Tab, new() { Name = "Import / Export" }).ClickAsync();
        // the tab renders the file input first and Blazor's InputFile.init wires it up after: wait for the wiring
        await page.WaitForFunctionAsync("() => document.getElementById('import-rules')?._blazorInputFileNextFileId !== undefined");
        await page.SetInputFilesAsync("#import-rules", new FilePayload { Name = "rules.json", MimeType = "application/json",
            Buffer = System.Text.Encoding.UTF8.GetBytes(body.Replace("SFDC > PD", "Imported rules")) });
        await Expect(page.Locator("#unsaved")).ToBeVisibleAsync();
        await Expect(page.Locator("#ruleset-0-name")).ToHaveValueAsync("Imported rules");
        await page.ClickAsync("#save-rules");
        await Expect(page.Locator("#unsaved")).ToHaveCountAsync(0);
        Assert.Equal(versionsBefore + 1, (await browser.Portal.Services.GetRequiredService<RulesetStore>().VersionsAsync()).Count);

        await page.GetByRole(AriaRole.Tab, new() { Name = "Dry-run" }).ClickAsync();
        await page.FillAsync("#dry-run-new", """{"CaseNumber":"00001026","Subject":"Checkout down","Priority":"High","Status":"New"}""");
        await page.ClickAsync("#run-dry-run");
        await Expect(page.Locator("#dry-run-summary")).ToContainTextAsync("1 of 1 rule matches");
        await Expect(page.Locator(".dry-run-match").First).ToContainTextAsync("Case 00001026 Checkout down");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("rulesets-dry-run.png"), FullPage = true });

        await page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Compare version {versionsBefore}" }).ClickAsync();
        // side by side, line by line: the older name on the left, the newer beside it on the right
        var changed = page.Locator("#version-diff tbody tr").Filter(new() { Has = page.Locator(".diff-left.diff-changed") });
        await Expect(changed).ToHaveCountAsync(1);
        await Expect(changed.Locator(".diff-left")).ToContainTextAsync("\"name\": \"SFDC > PD\"");
        await Expect(changed.Locator(".diff-right")).ToContainTextAsync("\"name\": \"Imported rules\"");
        // the README's picture: the title and the diff, without the save snackbars over them
        await page.AddStyleTagAsync(new() { Content = ".mud-snackbar { display: none !important; }" });
        var area = await page.EvaluateAsync<double[]>("""
            () => { const t = document.getElementById('diff-title').getBoundingClientRect(), d = document.querySelector('.side-by-side-diff').getBoundingClientRect();
                    return [d.left - 8, t.top + window.scrollY - 8, d.width + 16, d.bottom - t.top + 16]; }
            """);
        await page.ScreenshotAsync(new()
        {
            Path = BrowserFixture.ArtifactPath("version-diff.png"), FullPage = true,
            Clip = new() { X = (float)area[0], Y = (float)area[1], Width = (float)area[2], Height = (float)area[3] },
        });
    }

    [Fact]
    public async Task ARestoreFromTheHistoryNamesThePersonWhoRestored()
    {
        var services = browser.Portal.Services;
        await services.GetRequiredService<AccountService>().CreateAsync("rhea@portal.test", "Rhea-Passw0rd-1", Roles.Manager);
        // other browser tests share this portal: both versions hold no rules, so the restore changes nothing they run
        var store = services.GetRequiredService<RulesetStore>();
        var earlier = await store.SaveAsync("""{"schemaVersion":1,"rulesets":[]}""", "test set-up");
        var inForce = await store.SaveAsync("""{"schemaVersion":1,"rulesets":[]}""", "test set-up");
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, "rhea@portal.test", "Rhea-Passw0rd-1");
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/rulesets");

        await page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Restore version {earlier.Version}" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore", Exact = true }).ClickAsync();
        var restored = inForce.Version + 1;
        await Expect(page.GetByText($"Version {earlier.Version} restored as version {restored}.")).ToBeVisibleAsync();

        var row = page.Locator("#versions tbody tr").First;
        await Expect(row).ToContainTextAsync($"{restored} (in force)");
        await Expect(row).ToContainTextAsync("rhea@portal.test");
        await Expect(row).ToContainTextAsync($"Restored version {earlier.Version}");
        var audit = await services.GetRequiredService<Portal.Core.Logging.IntegrationLog>().QueryAsync(
            new Portal.Core.Logging.LogQuery(Category: Portal.Core.Logging.LogCategories.Config, Text: $"Rules version {restored} saved by"));
        Assert.StartsWith($"Rules version {restored} saved by rhea@portal.test:", Assert.Single(audit.Entries).Message);
    }

    [Fact]
    public async Task RuleEditorShowsTheMessageBesideTheInputItIsAbout()
    {
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, Infrastructure.PortalAppFactory.AdminEmail, Infrastructure.PortalAppFactory.AdminPassword);
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/rulesets");
        // the button is drawn with the rulesets: once it shows, so do they; the new one is drawn after the click's render
        await Expect(page.Locator("#add-ruleset")).ToBeVisibleAsync();
        var index = await page.Locator(".ruleset").CountAsync();
        await page.ClickAsync("#add-ruleset");
        await Expect(page.Locator(".ruleset")).ToHaveCountAsync(index + 1);
        await page.ClickAsync($"#ruleset-{index}-add-rule");
        await page.ClickAsync("#add-condition");
        await BrowserFixture.ChooseAsync(page, "#condition-0-operator", "greaterThan");
        await page.FillAsync("#condition-0-value", "soon");
        await page.ClickAsync("#add-action");
        await page.ClickAsync("#apply-rule");
        await Expect(page.GetByText("serviceId", new() { Exact = false }).First).ToBeVisibleAsync();
        await Expect(page.Locator(".mud-input-helper-text.mud-input-error").First).ToBeVisibleAsync();
        await Expect(page.Locator("#apply-rule")).ToBeVisibleAsync(); // the dialog stays open
    }

    [Fact]
    public async Task AManagerPutsARuleInShadowSeesItsBadgeAndPromotesItToLiveInOneVersion()
    {
        var services = browser.Portal.Services;
        await services.GetRequiredService<AccountService>().CreateAsync("shay@portal.test", "Shay-Passw0rd-1", Roles.Manager);
        var store = services.GetRequiredService<RulesetStore>();
        // a rule no other test's record can set off, in the portal the browser tests share
        var setUp = await store.SaveAsync("""
            {"schemaVersion":1,"rulesets":[{"name":"Watch","enabled":true,"rules":[{"name":"Note on the canary","object":"Case","runOn":"recordCreateOrUpdate",
             "when":"all","executeFor":"allLinked","conditions":[{"field":"Subject","operator":"equals","value":"shadow canary 7f3c"}],
             "actions":[{"type":"addNote","content":"seen"}]}]}]}
            """, "test set-up");
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, "shay@portal.test", "Shay-Passw0rd-1");
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/rulesets");
        var row = page.Locator(".ruleset tr").Filter(new() { HasTextString = "Note on the canary" });
        await Expect(row.Locator(".shadow-badge")).ToHaveCountAsync(0);

        await row.GetByRole(AriaRole.Button, new() { Name = "Edit rule Note on the canary" }).ClickAsync();
        await page.ClickAsync("#rule-shadow");
        await Expect(page.GetByText("Shadow: evaluated and logged", new() { Exact = false })).ToBeVisibleAsync();
        await page.ClickAsync("#apply-rule");
        await page.ClickAsync("#save-rules");
        var shadowVersion = setUp.Version + 1;
        await Expect(page.Locator("#rules-version")).ToHaveTextAsync($"Version {shadowVersion} in force");
        await Expect(row.Locator(".shadow-badge")).ToHaveTextAsync("shadow");
        Assert.True((await store.CurrentAsync()).Document.Rulesets.Single(r => r.Name == "Watch").Rules[0].IsShadow);

        await row.GetByRole(AriaRole.Button, new() { Name = "Promote rule Note on the canary to live" }).ClickAsync();
        await Expect(page.GetByText($"Rule Note on the canary is live: version {shadowVersion + 1}.")).ToBeVisibleAsync();
        await Expect(row.Locator(".shadow-badge")).ToHaveCountAsync(0);
        var current = await store.CurrentAsync();
        Assert.Equal(shadowVersion + 1, current.Version);
        Assert.False(current.Document.Rulesets.Single(r => r.Name == "Watch").Rules[0].IsShadow);
        await store.SaveAsync("""{"schemaVersion":1,"rulesets":[]}""", "test clean-up");
    }

    [Fact]
    public async Task TheDryRunSaysWhichCreateIncidentLiveRulesWouldNotTakeAndWhy()
    {
        var store = browser.Portal.Services.GetRequiredService<RulesetStore>();
        static string Twin(string name, string service) => $$"""
            {"name":"{{name}}","object":"Case","runOn":"recordCreateOrUpdate","when":"all","executeFor":"allLinked",
             "conditions":[{"field":"Subject","operator":"equals","value":"dry-run twin 9b1e"}],"actions":[{"type":"createIncident","serviceId":"{{service}}"}]}
            """;
        // rules no other test's record can set off, in the portal the browser tests share
        await store.SaveAsync($$"""{"schemaVersion":1,"rulesets":[{"name":"Twins","enabled":true,"rules":[{{Twin("Checkout team", "PNE3JZM")}},{{Twin("Payments team", "PWIXJZS")}}]}]}""",
            "test set-up");
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, Infrastructure.PortalAppFactory.AdminEmail, Infrastructure.PortalAppFactory.AdminPassword);
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/rulesets");

        await page.GetByRole(AriaRole.Tab, new() { Name = "Dry-run" }).ClickAsync();
        await page.FillAsync("#dry-run-new", """{"Subject":"dry-run twin 9b1e","Priority":"High"}""");
        await page.ClickAsync("#run-dry-run");
        await Expect(page.Locator("#dry-run-summary")).ToContainTextAsync("2 of 2 rules match");
        var second = page.Locator(".dry-run-match").Filter(new() { HasTextString = "Payments team" });
        await Expect(second.Locator(".dry-run-not-taken")).ToContainTextAsync(
            "Not taken: Create new Incident, if there are no linked incidents: another rule already creates the incident for the record in this change");
        await Expect(page.Locator(".dry-run-match").Filter(new() { HasTextString = "Checkout team" }).Locator(".dry-run-not-taken")).ToHaveCountAsync(0);
        await store.SaveAsync("""{"schemaVersion":1,"rulesets":[]}""", "test clean-up");
    }

    [Fact]
    public async Task ADisabledRulesetSaysDisabledAndAnAuditorSeesItsToggleAsReadOnly()
    {
        await browser.Portal.Services.GetRequiredService<AccountService>().CreateAsync("audra@portal.test", "Audra-Passw0rd-1", Roles.Auditor);
        await browser.Portal.Services.GetRequiredService<RulesetStore>().SaveAsync(
            """{"schemaVersion":1,"rulesets":[{"name":"Paused","enabled":false,"rules":[]}]}""", "test set-up");
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, "audra@portal.test", "Audra-Passw0rd-1");
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/rulesets");

        var ruleset = page.Locator(".ruleset").First;
        await Expect(ruleset).ToContainTextAsync("Disabled");
        await Expect(ruleset.GetByText("Enabled", new() { Exact = true })).ToHaveCountAsync(0);
        await Expect(ruleset.Locator("input[type=checkbox]")).ToBeDisabledAsync();
    }

    [Fact]
    public async Task UnsavedRuleChangesAskBeforeThePageIsLeftInsideThePortalOrClosed()
    {
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, Infrastructure.PortalAppFactory.AdminEmail, Infrastructure.PortalAppFactory.AdminPassword);
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/rulesets");
        await page.ClickAsync("#add-ruleset"); // a change that is never saved: the shared portal's rules stay as they are
        await Expect(page.Locator("#unsaved")).ToBeVisibleAsync();

        // a link inside the portal: the portal asks
        await page.GetByRole(AriaRole.Link, new() { Name = "Logs", Exact = true }).ClickAsync();
        await Expect(page.Locator(".mud-dialog")).ToContainTextAsync("The rules have changes that are not saved. Leave this page and lose them?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Stay" }).ClickAsync();
        await Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);
        Assert.EndsWith("/rulesets", page.Url);
        await Expect(page.Locator("#unsaved")).ToBeVisibleAsync();

        // closing or reloading the tab: the browser asks
        var asked = new TaskCompletionSource<string>();
        var questions = 0;
        page.Dialog += async (_, dialog) =>
        {
            Interlocked.Increment(ref questions);
            await dialog.DismissAsync();
            asked.TrySetResult(dialog.Type);
        };
        await page.CloseAsync(new() { RunBeforeUnload = true });
        Assert.Equal("beforeunload", await asked.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await Expect(page.Locator("#unsaved")).ToBeVisibleAsync();
        Assert.False(page.IsClosed);

        // nothing unsaved: no question
        await page.ClickAsync("#discard-rules");
        await Expect(page.Locator("#unsaved")).ToHaveCountAsync(0);
        // the page drops its beforeunload handler through JS interop after that render: give the call a moment (CI's
        // full suite closed the page before it and got the question again)
        await page.WaitForTimeoutAsync(1000);
        var closed = new TaskCompletionSource();
        page.Close += (_, _) => closed.TrySetResult();
        await page.CloseAsync(new() { RunBeforeUnload = true });
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, questions);
    }
}

using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Records;
using Portal.Core.Security;
using Portal.Core.Settings;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class ObjectMappingsTests(BrowserFixture browser)
{
    [Fact]
    public async Task AnAdministratorEditsAndRemovesFieldsAndPicksTheIntegrationUserFromPagerDutysUsers()
    {
        var services = browser.Portal.Services;
        var catalog = services.GetRequiredService<ObjectCatalog>();
        var settings = services.GetRequiredService<SettingsStore>();
        var name = "Deal" + Guid.NewGuid().ToString("N")[..6];
        await catalog.DefineAsync(new ObjectTypeDto(name, null, false,
            [new FieldDto("Region", null, "text"), new FieldDto("Stage", null, "text"), new FieldDto("Spare", null, "text")]));
        var open = await services.GetRequiredService<RecordStore>().CreateAsync(name, JsonDocument.Parse("""{"Stage":"Open"}""").RootElement,
            new ChangeActor("test"));
        await services.GetRequiredService<AccountService>().CreateAsync("mapper@portal.test", "Mapper-Passw0rd-1", Roles.Administrator);
        var before = await settings.GetAsync(IntegrationSettings.Key, () => new IntegrationSettings());
        try
        {
            var page = await browser.NewPageAsync();
            await BrowserFixture.SignInAsync(page, browser.Portal.BaseUrl, "mapper@portal.test", "Mapper-Passw0rd-1");
            await BrowserFixture.GotoInteractiveAsync(page, browser.Portal.BaseUrl + "/config/object-mappings");
            await page.Locator(".mud-expand-panel-header", new() { HasText = name }).ClickAsync();
            var fields = page.Locator($"#fields-{name}");
            await Expect(fields).ToBeVisibleAsync();

            // relabel a field
            await page.ClickAsync($"button[aria-label='Edit field {name}.Region']");
            await page.FillAsync($"#edit-field-label-{name}-Region", "Sales region");
            await page.ClickAsync($"#edit-field-{name}-Region .edit-field-save");
            await Expect(page.Locator($"#field-row-{name}-Region")).ToContainTextAsync("Sales region");

            // a custom text field into a picklist: refused beside the values while a record holds another, then saved
            await page.ClickAsync($"button[aria-label='Edit field {name}.Stage']");
            await BrowserFixture.ChooseAsync(page, $"#edit-field-type-{name}-Stage", "picklist");
            await page.FillAsync($"#edit-field-values-{name}-Stage", "Won, Lost");
            await page.ClickAsync($"#edit-field-{name}-Stage .edit-field-save");
            var values = page.Locator(".mud-input-control", new() { Has = page.Locator($"#edit-field-values-{name}-Stage") });
            await Expect(values).ToContainTextAsync($"{name} {open.Id} holds 'Open'");
            await page.FillAsync($"#edit-field-values-{name}-Stage", "Open, Won, Lost");
            await page.ClickAsync($"#edit-field-{name}-Stage .edit-field-save");
            await Expect(page.Locator($"#edit-field-{name}-Stage")).ToHaveCountAsync(0);
            await Expect(page.Locator($"#field-row-{name}-Stage")).ToContainTextAsync("picklist");
            await Expect(page.Locator($"#field-row-{name}-Stage")).ToContainTextAsync("Open, Won, Lost");

            // remove an unused field
            await page.ClickAsync($"button[aria-label='Remove field {name}.Spare']");
            await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Remove", Exact = true }).ClickAsync();
            await Expect(page.Locator($"button[aria-label='Remove field {name}.Spare']")).ToHaveCountAsync(0);

            // the integration user, chosen from the sandbox account's users by name
            await page.ClickAsync("#integration-email");
            await page.FillAsync("#integration-email", "alex");
            await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextString = "alex@sandbox.portal.invalid" }).ClickAsync();
            await Expect(page.Locator("#integration-email")).ToHaveValueAsync("Alex On-call <alex@sandbox.portal.invalid>");
            await page.ClickAsync("#save-integration");
            await Expect(page.GetByText("Integration settings saved.")).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("object-mappings.png"), FullPage = true });

            Assert.Equal("alex@sandbox.portal.invalid", (await settings.GetAsync(IntegrationSettings.Key, () => new IntegrationSettings())).IntegrationEmail);
            var type = (await catalog.GetAsync()).Get(name);
            Assert.Equal(["Region", "Stage"], type.Fields.Select(f => f.Name));
            Assert.Equal("Sales region", type.Field("Region")!.Label);
            Assert.Equal(["Open", "Won", "Lost"], type.Field("Stage")!.Values);
        }
        finally
        {
            // the portal is shared with the other browser tests
            await settings.SaveAsync(IntegrationSettings.Key, before, "test");
        }
    }
}

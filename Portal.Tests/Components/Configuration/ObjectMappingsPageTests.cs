using System.Text.Json;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using Portal.Components.Pages.Configuration;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Configuration;

/// The Object Mappings tab: object types and fields edited and removed beside their rows, refusals beside what they are
/// about; the integration user chosen from PagerDuty's users.
public sealed class ObjectMappingsPageTests : DatabaseComponentTest
{
    private IRenderedComponent<MudDialogProvider> _dialogs = default!;

    private ObjectCatalog Catalog => Database.Get<ObjectCatalog>();

    private async Task<IRenderedComponent<ObjectMappingsPage>> RenderAsync(string role)
    {
        Services.AddSingleton(Database.Get<IOptions<PagerDutyOptions>>());
        Services.AddLogging();
        this.SignIn(await Database.AddAccountAsync(role, $"{role.ToLowerInvariant()}@portal.test"));
        Render<MudPopoverProvider>();
        _dialogs = Render<MudDialogProvider>();
        var cut = Render<ObjectMappingsPage>();
        cut.WaitForAssertion(() => cut.Find("#fields-Case"));
        return cut;
    }

    private void Answer(string button) =>
        _dialogs.WaitForAssertion(() => _dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == button).Click());

    private static void Click(IRenderedComponent<ObjectMappingsPage> cut, string label) =>
        cut.WaitForAssertion(() => cut.Find($"button[aria-label='{label}']").Click());

    [Fact]
    public async Task RelabelsAFieldAndTurnsItIntoAPicklistOrSaysWhichRecordsStandInTheWay()
    {
        await Catalog.AddFieldAsync("Case", new FieldDto("Tier", null, "text"));
        var gold = await Database.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Tier":"Gold"}""").RootElement, new ChangeActor("test"));
        var cut = await RenderAsync(Roles.Administrator);

        Click(cut, "Edit field Case.Tier");
        cut.WaitForAssertion(() => cut.Find("#edit-field-Case-Tier .edit-field-label input").Change("Customer tier"));
        var type = cut.FindComponent<EditFieldForm>().FindComponent<MudSelect<string>>();
        await cut.InvokeAsync(() => type.Instance.ValueChanged.InvokeAsync("picklist")); // as choosing it in the list does
        cut.WaitForAssertion(() => cut.Find("#edit-field-Case-Tier .edit-field-values input").Change("Silver, Bronze"));
        cut.Find("#edit-field-Case-Tier .edit-field-save").Click();

        cut.WaitForAssertion(() => Assert.Contains($"Case {gold.Fields["CaseNumber"]} holds 'Gold'",
            cut.Find("#edit-field-Case-Tier .edit-field-values").ParentElement!.ParentElement!.TextContent));
        Assert.Equal("text", (await Catalog.GetAsync()).Get("Case").Field("Tier")!.TypeName);

        cut.Find("#edit-field-Case-Tier .edit-field-values input").Change("Gold, Silver");
        cut.Find("#edit-field-Case-Tier .edit-field-save").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#edit-field-Case-Tier")));
        var tier = (await Catalog.GetAsync()).Get("Case").Field("Tier")!;
        Assert.Equal(("Customer tier", "picklist"), (tier.Label, tier.TypeName));
        Assert.Equal(["Gold", "Silver"], tier.Values);
        cut.WaitForAssertion(() => Assert.Contains("Gold, Silver", cut.Find("#fields-Case").TextContent));
    }

    [Fact]
    public async Task RemovesAnUnusedFieldAfterAskingAndShowsWhyAFieldInUseStays()
    {
        await Catalog.AddFieldAsync("Case", new FieldDto("Spare", null, "text"));
        await Catalog.AddFieldAsync("Case", new FieldDto("Tier", null, "text"));
        await Database.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Tier":"Gold"}""").RootElement, new ChangeActor("test"));
        var cut = await RenderAsync(Roles.Administrator);
        Assert.Empty(cut.FindAll("button[aria-label='Remove field Case.Subject']")); // built in: relabelled only
        Assert.Single(cut.FindAll("button[aria-label='Edit field Case.Subject']"));
        Assert.Empty(cut.FindAll("button[aria-label='Remove object type Case']"));

        Click(cut, "Remove field Case.Spare");
        Answer("Cancel");
        Assert.NotNull((await Catalog.GetAsync()).Get("Case").Field("Spare"));
        Click(cut, "Remove field Case.Spare");
        Answer("Remove");
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("button[aria-label='Remove field Case.Spare']")));
        Assert.Null((await Catalog.GetAsync()).Get("Case").Field("Spare"));

        Click(cut, "Remove field Case.Tier");
        Answer("Remove");
        cut.WaitForAssertion(() => Assert.Contains("1 record holds a value for it", cut.Find("#field-error-Case-Tier").TextContent));
        Assert.NotNull((await Catalog.GetAsync()).Get("Case").Field("Tier"));
    }

    [Fact]
    public async Task RelabelsAndRemovesACustomObjectType()
    {
        await Catalog.DefineAsync(new ObjectTypeDto("Outage", null, true, []));
        var cut = await RenderAsync(Roles.Administrator);

        cut.WaitForAssertion(() => cut.Find("#object-label-Outage .object-label input").Change("Service outage"));
        cut.Find("#object-label-Outage button").Click();
        cut.WaitForAssertion(() => Assert.Contains("Service outage", cut.Find("#object-types").TextContent));
        Assert.Equal("Service outage", (await Catalog.GetAsync()).Get("Outage").Label);

        Click(cut, "Remove object type Outage");
        Answer("Remove");
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#fields-Outage")));
        Assert.Null((await Catalog.GetAsync()).Find("Outage"));
    }

    [Fact]
    public async Task ShowsAChangeMadeElsewhereWithoutReloading()
    {
        var cut = await RenderAsync(Roles.Auditor);
        await Catalog.UpdateFieldAsync("Incident", "Urgency", new FieldChange(Label: "How urgent", Type: "picklist", Values: ["High", "Low"]), "api");
        cut.WaitForAssertion(() => Assert.Contains("How urgent", cut.Find("#field-row-Incident-Urgency").TextContent));
        Assert.Contains("High, Low", cut.Find("#field-row-Incident-Urgency").TextContent);
    }

    [Fact]
    public async Task AnAuditorSeesTheFieldsWithoutWaysToChangeThem()
    {
        var cut = await RenderAsync(Roles.Auditor);
        Assert.Empty(cut.FindAll("button[aria-label^='Edit field']"));
        Assert.Empty(cut.FindAll("button[aria-label^='Remove']"));
        Assert.Empty(cut.FindAll(".object-label"));
    }

    [Fact]
    public async Task OffersPagerDutysUsersForTheIntegrationEmail()
    {
        var cut = await RenderAsync(Roles.Administrator);
        cut.WaitForAssertion(() => Assert.Contains("choose the PagerDuty user", cut.Find("#integration-settings").TextContent));
        Assert.NotEmpty(cut.FindComponents<MudAutocomplete<string>>());
    }

    [Fact]
    public async Task SaysBesideTheFieldWhenPagerDutysUsersCannotBeReadAndTakesATypedEmail()
    {
        // live, without an API key: PagerDuty cannot be asked for its users
        await using var live = await TestDatabase.WithPagerDutyAsync(new Dictionary<string, string?> { ["PagerDuty:Mode"] = "Live" });
        Services.AddSingleton(live.Get<PagerDutyDirectory>());
        var cut = await RenderAsync(Roles.Administrator);

        cut.WaitForAssertion(() => Assert.Contains("PagerDuty's users could not be read", cut.Find("#integration-settings").TextContent));
        Assert.Empty(cut.FindComponents<MudAutocomplete<string>>());
        cut.Find("input#integration-email").Change("ops@example.com");
        cut.Find("#save-integration").Click();
        cut.WaitForAssertion(() => Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars, s => s.Message == "Integration settings saved."));
        var saved = await Database.Get<Portal.Core.Settings.SettingsStore>().GetAsync(Portal.Core.Settings.IntegrationSettings.Key,
            () => new Portal.Core.Settings.IntegrationSettings());
        Assert.Equal("ops@example.com", saved.IntegrationEmail);
    }
}

using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Components.Pages.Rulesets;
using Portal.Core.Rulesets;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Rulesets;

public sealed class RulesetsPageTests : DatabaseComponentTest
{
    private const string TwoRulesets = """
        {"schemaVersion":1,"rulesets":[
          {"name":"First","enabled":true,"rules":[{"name":"Ack on working","object":"Case","runOn":"recordCreateOrUpdate","when":"all",
            "conditions":[{"field":"Status","operator":"equals","value":"Working"}],"executeFor":"allLinked","actions":[{"type":"acknowledgeIncident"}]}]},
          {"name":"Second","enabled":false,"rules":[]}]}
        """;

    private IRenderedComponent<MudDialogProvider> _dialogs = default!;
    private PortalUser _account = default!;

    /// Signed in with an account of `role` (the store checks the account behind the page).
    private async Task<IRenderedComponent<RulesetsPage>> RenderAsync(string role)
    {
        _account = await Database.AddAccountAsync(role, $"{role.ToLowerInvariant()}@portal.test");
        this.SignIn(_account);
        Render<MudPopoverProvider>();
        _dialogs = Render<MudDialogProvider>();
        return Render<RulesetsPage>();
    }

    /// The two rulesets saved, the page open for `role`, and Second moved up without saving.
    private async Task<IRenderedComponent<RulesetsPage>> RenderWithAnUnsavedChangeAsync(string role)
    {
        await Database.Get<RulesetStore>().SaveAsync(TwoRulesets, "admin");
        var cut = await RenderAsync(role);
        cut.WaitForAssertion(() => cut.Find("button[aria-label='Move ruleset Second up']"));
        cut.Find("button[aria-label='Move ruleset Second up']").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#unsaved")));
        return cut;
    }

    [Fact]
    public async Task ShowsTheSavedRulesetsToAnAuditorWithoutWaysToChangeThem()
    {
        await Database.Get<RulesetStore>().SaveAsync(TwoRulesets, "admin");
        var cut = await RenderAsync("Auditor");
        cut.WaitForAssertion(() => Assert.Equal("First", cut.Find("#ruleset-0-name").GetAttribute("value")));
        Assert.Contains("Ack on working", cut.Markup);
        Assert.Contains("Version 1 in force", cut.Find("#rules-version").TextContent);
        Assert.Empty(cut.FindAll("#save-rules"));
        Assert.Empty(cut.FindAll("#add-ruleset"));
        Assert.Empty(cut.FindAll("button[aria-label^='Delete']"));
        Assert.Single(cut.FindAll("button[aria-label='View rule Ack on working']"));
    }

    [Fact]
    public async Task SavesReorderedRulesetsAsANewVersion()
    {
        var cut = await RenderWithAnUnsavedChangeAsync(Roles.Manager);
        cut.Find("#save-rules").Click();

        await cut.WaitForAssertionAsync(async () =>
        {
            var (version, document) = await Database.Get<RulesetStore>().CurrentAsync();
            Assert.Equal(2, version);
            Assert.Equal(["Second", "First"], document.Rulesets.Select(r => r.Name));
        });
    }

    [Fact]
    public async Task KeepsTheRuleEditorOpenWithTheMessageBesideTheInput()
    {
        await Database.Get<RulesetStore>().SaveAsync(TwoRulesets, "admin");
        var cut = await RenderAsync("Administrator");
        cut.WaitForAssertion(() => cut.Find("#ruleset-1-add-rule"));
        cut.Find("#ruleset-1-add-rule").Click();
        _dialogs.WaitForAssertion(() => _dialogs.Find("#add-action"));
        _dialogs.Find("#add-action").Click();
        _dialogs.Find("#apply-rule").Click();

        _dialogs.WaitForAssertion(() => Assert.Contains("serviceId", _dialogs.Find(".mud-input-error").ParentElement!.ParentElement!.TextContent));
        Assert.Single(_dialogs.FindAll("#apply-rule"));
        Assert.Equal(1, (await Database.Get<RulesetStore>().CurrentAsync()).Version);
    }

    [Fact]
    public async Task StartsEmptyWithAnInvitationToAddOrImport()
    {
        var cut = await RenderAsync("Manager");
        cut.WaitForAssertion(() => Assert.Contains("No rulesets yet. Add one, or import a rules file.", cut.Find("#no-rulesets").TextContent));
        Assert.Contains("No rules saved yet", cut.Find("#rules-version").TextContent);
    }

    [Theory]
    [InlineData("disabled")]
    [InlineData("demoted to User")]
    public async Task RefusesTheSaveOfAManagerChangedSinceThePageOpened(string change)
    {
        var cut = await RenderWithAnUnsavedChangeAsync(Roles.Manager);

        // an Administrator changes the account while the tab stays open with its Manager principal
        await Database.ChangeAccountAsync(_account.Id, u =>
        {
            if (change == "disabled") u.IsDisabled = true;
            else u.Role = Roles.User;
        });
        cut.Find("#save-rules").Click();

        cut.WaitForAssertion(() => Assert.Contains("Your account was changed or disabled after you signed in", cut.Find("#save-errors").TextContent));
        var versions = await Database.Get<RulesetStore>().VersionsAsync();
        Assert.Equal([1L], versions.Select(v => v.Version));
        Assert.Equal(["First", "Second"], (await Database.Get<RulesetStore>().CurrentAsync()).Document.Rulesets.Select(r => r.Name));
    }

    [Fact]
    public async Task ComparesAVersionSideBySideWithTheOneInForce()
    {
        var store = Database.Get<RulesetStore>();
        await store.SaveAsync(TwoRulesets, "admin");
        await store.SaveAsync(TwoRulesets.Replace("\"Second\"", "\"Renamed\""), "admin");
        Render<MudPopoverProvider>();
        Render<MudDialogProvider>();
        var cut = Render<VersionHistoryPanel>(p => p.Add(x => x.Version, 2L));
        cut.WaitForAssertion(() => cut.Find("button[aria-label='Compare version 1']"));
        cut.Find("button[aria-label='Compare version 1']").Click();

        cut.WaitForAssertion(() => Assert.True(cut.FindAll("#version-diff tbody tr").Count > 10));
        var changed = Assert.Single(cut.FindAll("#version-diff tbody tr"), r => r.QuerySelector(".diff-left.diff-changed") is not null);
        Assert.Contains("\"Second\"", changed.QuerySelector(".diff-left")!.TextContent);
        Assert.Contains("\"Renamed\"", changed.QuerySelector(".diff-right")!.TextContent);
        Assert.Contains("Version 1", cut.Find("#version-diff thead").TextContent);
        Assert.Contains("Version 2 (in force)", cut.Find("#version-diff thead").TextContent);
    }

    [Fact]
    public async Task SavesTheNoteWithTheVersionAndHistoryShowsIt()
    {
        var store = Database.Get<RulesetStore>();
        var cut = await RenderWithAnUnsavedChangeAsync(Roles.Manager);
        cut.WaitForAssertion(() => Assert.False(cut.Find("#save-note").HasAttribute("disabled")));
        cut.Find("#save-note").Input("Second first: it pages on-call");
        cut.Find("#save-rules").Click();

        await cut.WaitForAssertionAsync(async () => Assert.Equal("Second first: it pages on-call", (await store.VersionsAsync())[0].Comment));
        Assert.Equal("manager@portal.test", (await store.VersionsAsync())[0].CreatedBy);
        cut.WaitForAssertion(() => Assert.Equal("", cut.Find("#save-note").GetAttribute("value") ?? ""));

        var history = Render<VersionHistoryPanel>(p => p.Add(x => x.Version, 2L));
        history.WaitForAssertion(() => Assert.Equal("Second first: it pages on-call", history.FindAll("#versions .version-comment")[0].TextContent));
    }

    private void Answer(string button) =>
        _dialogs.WaitForAssertion(() => _dialogs.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == button).Click());

    [Fact]
    public async Task AsksBeforeDeletingARulesetAndKeepsItWhenCancelled()
    {
        await Database.Get<RulesetStore>().SaveAsync(TwoRulesets, "admin");
        var cut = await RenderAsync("Manager");
        cut.WaitForAssertion(() => cut.Find("button[aria-label='Delete ruleset First']"));

        cut.Find("button[aria-label='Delete ruleset First']").Click();
        _dialogs.WaitForAssertion(() => Assert.Contains("Delete the ruleset 'First' and its 1 rule?", _dialogs.Find(".mud-dialog").TextContent));
        Answer("Cancel");
        _dialogs.WaitForAssertion(() => Assert.Empty(_dialogs.FindAll(".mud-dialog")));
        Assert.Equal("First", cut.Find("#ruleset-0-name").GetAttribute("value"));
        Assert.Empty(cut.FindAll("#unsaved"));

        cut.Find("button[aria-label='Delete ruleset First']").Click();
        Answer("Delete");
        // (MudTextField keeps the id it first rendered with, so the remaining ruleset is found by its class)
        cut.WaitForAssertion(() => Assert.Equal(["Second"], cut.FindAll(".ruleset input[type=text]").Select(i => i.GetAttribute("value"))));
        Assert.NotNull(cut.Find("#unsaved"));
        Assert.Equal(["First", "Second"], (await Database.Get<RulesetStore>().CurrentAsync()).Document.Rulesets.Select(r => r.Name));
    }

    [Fact]
    public async Task AsksBeforeLeavingUnsavedChangesAndStaysWhenTold()
    {
        var cut = await RenderWithAnUnsavedChangeAsync(Roles.Manager);
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        var here = navigation.Uri;

        navigation.NavigateTo("/logs");
        _dialogs.WaitForAssertion(() => Assert.Contains("Leave this page and lose them?", _dialogs.Find(".mud-dialog").TextContent));
        Answer("Stay");
        _dialogs.WaitForAssertion(() => Assert.Empty(_dialogs.FindAll(".mud-dialog")));
        Assert.Equal(here, navigation.Uri);
        Assert.NotNull(cut.Find("#unsaved"));

        navigation.NavigateTo("/logs");
        Answer("Leave without saving");
        cut.WaitForAssertion(() => Assert.EndsWith("/logs", navigation.Uri));
    }

    [Fact]
    public async Task LeavesWithoutAskingWhenNothingIsUnsaved()
    {
        await Database.Get<RulesetStore>().SaveAsync(TwoRulesets, "admin");
        var cut = await RenderAsync("Manager");
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        cut.WaitForAssertion(() => cut.Find("#ruleset-0-name"));

        navigation.NavigateTo("/logs");
        cut.WaitForAssertion(() => Assert.EndsWith("/logs", navigation.Uri));
        Assert.Empty(_dialogs.FindAll(".mud-dialog"));
    }
}

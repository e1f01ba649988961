using Bunit;
using MudBlazor;
using Portal.Components.Pages.Rulesets;
using Portal.Core.Rulesets;
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

    private IRenderedComponent<RulesetsPage> RenderAs(string role)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized($"{role.ToLowerInvariant()}@portal.test");
        auth.SetRoles(role);
        Render<MudPopoverProvider>();
        _dialogs = Render<MudDialogProvider>();
        return Render<RulesetsPage>();
    }

    [Fact]
    public async Task ShowsTheSavedRulesetsToAnAuditorWithoutWaysToChangeThem()
    {
        await Database.Get<RulesetStore>().SaveAsync(TwoRulesets, "admin");
        var cut = RenderAs("Auditor");
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
        await Database.Get<RulesetStore>().SaveAsync(TwoRulesets, "admin");
        var cut = RenderAs("Manager");
        cut.WaitForAssertion(() => cut.Find("button[aria-label='Move ruleset Second up']"));
        cut.Find("button[aria-label='Move ruleset Second up']").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#unsaved")));
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
        var cut = RenderAs("Administrator");
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
    public void StartsEmptyWithAnInvitationToAddOrImport()
    {
        var cut = RenderAs("Manager");
        cut.WaitForAssertion(() => Assert.Contains("No rulesets yet. Add one, or import a rules file.", cut.Find("#no-rulesets").TextContent));
        Assert.Contains("No rules saved yet", cut.Find("#rules-version").TextContent);
    }
}

using System.Text.Json;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Records;
using Portal.Core.Dispatch;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;

namespace Portal.Tests.Components.Records;

/// The Command Console's create form against the strict fake PagerDuty: PagerDuty's refusal of its pick-lists is
/// shown in its own words, and the form opens once PagerDuty answers.
public sealed class CommandConsolePanelTests : PortalComponentTest
{
    private FakePagerDutyServer _pagerDuty = default!;
    private TestDatabase _db = default!;

    public override async Task InitializeAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        _db = await TestDatabase.WithPagerDutyAsync(new Dictionary<string, string?>
        {
            ["PagerDuty:ApiKey"] = FakePagerDutyServer.DefaultApiKey,
            ["PagerDuty:BaseUrl"] = _pagerDuty.BaseUrl.ToString(),
            ["PagerDuty:FromEmail"] = FakePagerDutyServer.IntegrationEmail,
        });
        Services.AddSingleton(_db.Get<ConsoleActions>());
        Services.AddSingleton(_db.Get<PagerDutyDirectory>());
        Services.AddSingleton(_db.Get<Portal.Core.Notifications.ChangeNotifier>());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
        await _pagerDuty.DisposeAsync();
    }

    private async Task<IRenderedComponent<CommandConsolePanel>> RenderAsync()
    {
        var type = (await _db.Get<ObjectCatalog>().GetAsync()).Get("Case");
        var record = await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Checkout down"}""").RootElement, new ChangeActor("agent"));
        Render<MudBlazor.MudPopoverProvider>();
        return Render<CommandConsolePanel>(p => p.Add(x => x.Type, type).Add(x => x.Record, record).Add(x => x.CanWrite, true));
    }

    [Fact]
    public async Task ShowsPagerDutysRefusalOfItsListsThenOpensTheFormWhenItAnswers()
    {
        _pagerDuty.AnswerNext(FakeAnswer.Error(403, "Access Denied", 2010, "Your API key cannot read services"));
        var cut = await RenderAsync();
        cut.Find("#open-create-incident").Click();
        cut.WaitForAssertion(() => Assert.Contains("PagerDuty's lists could not be read: Access Denied: Your API key cannot read services", cut.Markup));
        Assert.Empty(cut.FindAll("#incident-title"));

        cut.Find("#open-create-incident").Click();
        cut.WaitForAssertion(() => Assert.Equal("Case 00000001 Checkout down", cut.Find("#incident-title").GetAttribute("value")));
        Assert.DoesNotContain("could not be read", cut.Markup);
    }

    [Fact]
    public async Task WithoutRecordsWriteThereIsNothingToCreateOrLink()
    {
        var type = (await _db.Get<ObjectCatalog>().GetAsync()).Get("Case");
        var record = await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Read only"}""").RootElement, new ChangeActor("agent"));
        var cut = Render<CommandConsolePanel>(p => p.Add(x => x.Type, type).Add(x => x.Record, record).Add(x => x.CanWrite, false));
        Assert.Empty(cut.FindAll("#open-create-incident"));
        Assert.Empty(cut.FindAll("#existing-incident"));
        Assert.Empty(_pagerDuty.Requests); // nothing was read from PagerDuty either
    }
}

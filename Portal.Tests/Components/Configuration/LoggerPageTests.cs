using Bunit;
using Portal.Components.Pages.Configuration;
using Portal.Core.Logging;
using Portal.Core.Settings;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Configuration;

public sealed class LoggerPageTests : DatabaseComponentTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // a real account row: the settings store checks the caller against it (AccessCheck)
        this.SignIn(await Database.AddAccountAsync("Administrator", "admin@portal.test"));
    }

    private IRenderedComponent<LoggerPage> RenderAsAdmin()
    {
        Render<MudBlazor.MudPopoverProvider>();
        return Render<LoggerPage>();
    }

    [Theory]
    [InlineData("0", "0 days is not a storage interval: keep entries between 1 and 3650 days.")]
    [InlineData("-5", "-5 days is not a storage interval: keep entries between 1 and 3650 days.")]
    [InlineData("", "Enter how many days to keep entries: 1 to 3650.")]
    public async Task ARetentionOutOfRangeIsRefusedBesideTheFieldAndNothingIsSaved(string typed, string message)
    {
        var cut = RenderAsAdmin();
        cut.WaitForAssertion(() => Assert.Equal("30", cut.Find("#logger-days").GetAttribute("value")));

        cut.Find("#logger-days").Change(typed);
        cut.Find("#save-logger").Click();

        cut.WaitForAssertion(() => Assert.Contains(message, cut.Markup));
        Assert.Equal(30, (await Database.Get<SettingsStore>().GetAsync(LoggerSettings.Key, () => new LoggerSettings())).RetentionDays);
    }

    [Fact]
    public async Task ARetentionInRangeIsSaved()
    {
        var cut = RenderAsAdmin();
        cut.WaitForAssertion(() => Assert.Equal("30", cut.Find("#logger-days").GetAttribute("value")));
        cut.Find("#logger-days").Change("7");
        cut.Find("#save-logger").Click();
        await cut.WaitForAssertionAsync(async () =>
            Assert.Equal(7, (await Database.Get<SettingsStore>().GetAsync(LoggerSettings.Key, () => new LoggerSettings())).RetentionDays));
    }
}

using Microsoft.Playwright;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.EndToEnd;

/// One headless Debian Chromium for the browser tests, and the portal on real Kestrel: `Portal` with an
/// Administrator, `FreshPortal` with no account yet (the first-run set-up).
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    public IBrowser Browser { get; private set; } = default!;
    public PortalAppFactory Portal { get; } = new();
    public PortalAppFactory FreshPortal { get; } = new(bootstrapAdmin: false);

    public async Task InitializeAsync()
    {
        Portal.StartKestrel();
        FreshPortal.StartKestrel();
        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchAsync(_playwright);
    }

    /// Debian's Chromium, headless, as every browser test runs it (a test outside this collection launches its own).
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = ChromiumPath,
        Headless = true,
        Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });

    public Task<IPage> NewPageAsync() => NewPageAsync(Browser);

    public static async Task<IPage> NewPageAsync(IBrowser browser, float timeout = 15_000)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(timeout);
        return await context.NewPageAsync();
    }

    /// The first-run set-up of a portal with no account yet: asks at /setup, creates the Administrator and signs in.
    public static async Task CreateFirstAdministratorAsync(IPage page, string baseUrl, string email, string password)
    {
        await page.GotoAsync(baseUrl + "/login");
        await page.WaitForURLAsync(url => url.EndsWith("/setup"));
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.FillAsync("#confirm", password);
        await page.ClickAsync("#create-admin");
    }

    public static async Task SignInAsync(IPage page, string baseUrl, string email, string password)
    {
        await page.GotoAsync(baseUrl + "/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync(url => !url.Contains("/login"));
    }

    /// Opens a page of the interactive app and waits until its circuit is live, so that clicks reach the server.
    public static async Task GotoInteractiveAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await WaitForInteractiveAsync(page);
    }

    public static Task WaitForInteractiveAsync(IPage page) =>
        page.Locator("#circuit-state[data-interactive='true']").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// Picks an option of a MudSelect, which puts the id on a hidden input: clicks the visible select around it.
    public static async Task ChooseAsync(IPage page, string select, string option)
    {
        await page.Locator(select).Locator("xpath=ancestor::div[contains(@class,'mud-select')][1]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextString = option }).First.ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
    }

    public static string ArtifactPath(string name)
    {
        var folder = Path.Combine(RepoPaths.Root, "artifacts");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        Portal.Dispose();
        FreshPortal.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

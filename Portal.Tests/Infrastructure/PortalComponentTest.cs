using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Portal.Tests.Infrastructure;

/// bunit with MudBlazor: loose JS interop, MudBlazor services, and async disposal (MudBlazor registers
/// services that are IAsyncDisposable only).
public abstract class PortalComponentTest : BunitContext, IAsyncLifetime
{
    protected PortalComponentTest()
    {
        // a render that waits on the database or the fake PagerDuty can take seconds on a loaded machine (CI saw a
        // 1-second wait run out while the whole suite ran beside other builds)
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;
    public new virtual async Task DisposeAsync() => await base.DisposeAsync();
}

/// A component test over Portal.Core's real services on a migrated SQLite file of its own.
public abstract class DatabaseComponentTest : PortalComponentTest
{
    protected TestDatabase Database { get; private set; } = default!;

    public override async Task InitializeAsync()
    {
        Database = await TestDatabase.WithPagerDutyAsync();
        Services.AddSingleton(Database.Get<Portal.Core.Records.ObjectCatalog>());
        Services.AddSingleton(Database.Get<Portal.Core.Records.RecordStore>());
        Services.AddSingleton(Database.Get<Portal.Core.Links.IncidentLinks>());
        Services.AddSingleton(Database.Get<Portal.Core.Settings.SettingsStore>());
        Services.AddSingleton(Database.Get<Portal.Core.Rulesets.RulesetStore>());
        Services.AddSingleton(Database.Get<Portal.Core.Rulesets.RulesDryRun>());
        Services.AddSingleton(Database.Get<Portal.Core.Dispatch.ActionDispatcher>());
        Services.AddSingleton(Database.Get<Portal.Core.Dispatch.PlannedActionQueries>());
        Services.AddSingleton(Database.Get<Portal.Core.PagerDuty.PagerDutyConnection>());
        Services.AddSingleton(Database.Get<Portal.Core.Dispatch.ConsoleActions>());
        Services.AddSingleton(Database.Get<Portal.Core.PagerDuty.PagerDutyDirectory>());
        Services.AddSingleton(Database.Get<Portal.Core.Rulesets.DryRunReplay>());
        Services.AddSingleton(Database.Get<Portal.Core.PagerDuty.IncidentTimeline>());
        Services.AddSingleton(Database.Get<Portal.Core.StatusDashboard.BusinessImpacts>());
        Services.AddSingleton(Database.Get<Portal.Core.StatusDashboard.IncidentStatusUpdates>());
        Services.AddSingleton(Database.Get<Portal.Core.Logging.IntegrationLog>());
        Services.AddSingleton(Database.Get<Portal.Core.Notifications.ChangeNotifier>());
        Services.AddSingleton(Database.Get<Portal.Core.Webhooks.WebhookLag>());
        Services.AddSingleton(Database.Get<Portal.Core.Webhooks.WebhookSubscriptions>());
        Services.AddSingleton<TimeProvider>(Database.Clock);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
    }
}

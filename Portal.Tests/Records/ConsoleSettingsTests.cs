using Portal.Core;
using Portal.Core.Settings;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Records;

public sealed class ConsoleSettingsTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task EachObjectTypeKeepsItsPlacementAndTheOthersShowTheCombinedConsole()
    {
        var settings = _db.Get<SettingsStore>();
        var console = new ConsoleSettings().With("Case", ConsoleSettings.StatusDashboard).With("Outage", ConsoleSettings.CommandConsole);
        await settings.SaveAsync(ConsoleSettings.Key, console, "admin");

        settings = new SettingsStore(_db.Get<Microsoft.EntityFrameworkCore.IDbContextFactory<Portal.Core.Persistence.PortalDbContext>>(), _db.Clock, _db.Get<Portal.Core.Security.AccessCheck>(),
            _db.Get<Portal.Core.Notifications.ChangeNotifier>(), _db.Get<Portal.Core.Notifications.ConfigGenerations>()); // no cache: read back from the database
        var stored = await settings.GetAsync(ConsoleSettings.Key, () => new ConsoleSettings());
        Assert.Equal(ConsoleSettings.StatusDashboard, stored.For("Case"));
        Assert.Equal(ConsoleSettings.CommandConsole, stored.For("Outage"));
        Assert.Equal(ConsoleSettings.Combined, stored.For("Incident"));
    }

    [Fact]
    public void RefusesAPlacementThatDoesNotExistByName()
    {
        var refused = Assert.Throws<PortalValidationException>(() => new ConsoleSettings().With("Case", "sidebar"));
        Assert.Equal("'sidebar' is not a console placement; use combined, commandConsole, statusDashboard.", refused.Message);
    }
}

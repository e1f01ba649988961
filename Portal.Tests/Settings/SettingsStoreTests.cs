using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.Logging;
using Portal.Core.Persistence;
using Portal.Core.Security;
using Portal.Core.Settings;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Settings;

public sealed class SettingsStoreTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Theory]
    [InlineData(0, "0 days is not a storage interval: keep entries between 1 and 3650 days.")]
    [InlineData(-5, "-5 days is not a storage interval: keep entries between 1 and 3650 days.")]
    [InlineData(3651, "3651 days is not a storage interval: keep entries between 1 and 3650 days.")]
    public async Task RefusesALoggerRetentionOutOfRangeNamingItAndSavesNothing(int days, string message)
    {
        var admin = TestAccounts.PrincipalOf(await _db.AddAccountAsync(Roles.Administrator, "admin@portal.test"));
        var store = _db.Get<SettingsStore>();
        var audited = await ConfigEntriesAsync();

        var error = await Assert.ThrowsAsync<PortalValidationException>(() =>
            store.SaveAsync(LoggerSettings.Key, new LoggerSettings { Level = LogLevel.Debug, RetentionDays = days }, admin));

        Assert.Equal(message, Assert.Single(error.Errors["retentionDays"]));
        Assert.Equal(new LoggerSettings(), await store.GetAsync(LoggerSettings.Key, () => new LoggerSettings()));
        await using var db = await _db.Get<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.False(await db.Settings.AnyAsync(s => s.Key == LoggerSettings.Key));
        Assert.Equal(audited, await ConfigEntriesAsync());
    }

    private async Task<int> ConfigEntriesAsync()
    {
        await using var db = await _db.Get<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.LogEntries.CountAsync(e => e.Category == LogCategories.Config);
    }

    [Fact]
    public async Task SavesALoggerRetentionInRange()
    {
        var admin = TestAccounts.PrincipalOf(await _db.AddAccountAsync(Roles.Administrator, "admin@portal.test"));
        var store = _db.Get<SettingsStore>();
        await store.SaveAsync(LoggerSettings.Key, new LoggerSettings { RetentionDays = LoggerSettings.MaxRetentionDays }, admin);
        Assert.Equal(3650, (await store.GetAsync(LoggerSettings.Key, () => new LoggerSettings())).RetentionDays);
    }
}

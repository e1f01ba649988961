using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Links;
using Portal.Core.Persistence;
using Portal.Core.Records;

namespace Portal.Bench.Records;

/// Portal.Core's record services on a migrated SQLite file, wired as Portal.Tests' TestDatabase wires them,
/// with no change or comment handlers and the system clock.
public static class RecordsDatabase
{
    public static async Task<ServiceProvider> CreateAsync(string file, Action<DbContextOptionsBuilder>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<PortalDbContext>(o =>
        {
            o.UseSqlite($"Data Source={file}");
            configure?.Invoke(o);
        });
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<DatabaseMigrator>();
        services.AddOptions().AddSingleton<Portal.Core.Security.AccessCheck>();
        services.AddSingleton<Portal.Core.Settings.SettingsStore>();
        services.AddSingleton<Portal.Core.Logging.IntegrationLog>();
        services.AddSingleton<ObjectCatalog>();
        services.AddSingleton<RecordStore>();
        services.AddSingleton<IncidentLinks>();
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        return provider;
    }
}

using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Dispatch;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Rulesets;

namespace Portal.Bench;

/// The portal's own services, wired as Program.cs wires them (background loops not started), on a migrated SQLite
/// file: what the render benchmarks give their components.
public static class PortalServices
{
    public static async Task<IHost> CreateAsync(string databaseFile)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Portal"] = $"Data Source={databaseFile}" });
        builder.Logging.ClearProviders();
        builder.Services.AddDataProtection();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddPersistence();
        builder.AddRecords();
        builder.AddRulesets();
        builder.AddPagerDuty();
        var host = builder.Build();
        await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        return host;
    }
}

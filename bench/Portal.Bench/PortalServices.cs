using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
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
        builder.Services.AddSingleton<Portal.Core.Security.AccessCheck>(); // AddPortalSecurity's, which the benchmarks leave out
        builder.AddPersistence();
        builder.AddRecords();
        builder.AddRulesets();
        builder.AddPagerDuty();
        var host = builder.Build();
        await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        return host;
    }

    /// Runs `body` on the portal's services over a fresh database file under the temp folder, deleted afterwards.
    public static async Task RunOnTemporaryDatabaseAsync(string name, Func<IServiceProvider, Task> body)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"portal-bench-{name}");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{name}-{Guid.NewGuid():n}.db");
        try
        {
            using var host = await CreateAsync(file);
            await body(host.Services);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
        }
    }

    /// Renders `runs + 1` times; the first (JIT included) is reported on its own when `reportFirst`, the others as
    /// median, p95, min and max with how many rows the last render had.
    public static async Task TimeRendersAsync(string label, int runs, Func<Task<(double Milliseconds, int Rows)>> renderOnce, bool reportFirst)
    {
        var times = new List<double>();
        var rows = 0;
        for (var run = 0; run <= runs; run++)
        {
            var (elapsed, rendered) = await renderOnce();
            if (run == 0 && reportFirst) Console.WriteLine($"first render in this process (JIT included): {elapsed:0.0} ms, {rendered} rows");
            if (run > 0) times.Add(elapsed);
            rows = rendered;
        }
        times.Sort();
        Console.WriteLine($"{label}: {runs} runs, median {times[times.Count / 2]:0.0} ms, p95 {times[(int)(times.Count * 0.95) - 1]:0.0} ms, " +
            $"min {times[0]:0.0} ms, max {times[^1]:0.0} ms, rows rendered {rows}");
    }
}

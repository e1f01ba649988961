using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Core.Persistence;
using Portal.Core.Settings;

namespace Portal.Tests.Persistence;

/// The portal's connections leave checkpoints to the background checkpointer: a commit never copies the write-ahead
/// log into the database file while it holds the write gate.
public sealed class WalCheckpointerTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "portal-core-tests", Guid.NewGuid().ToString("n"));
    private IHost _host = null!;

    private string File => Path.Combine(_folder, "portal.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Portal"] = $"Data Source={File}" });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddPersistence();
        _host = builder.Build(); // not started: the test runs the checkpoint itself
        await _host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
    }

    public Task DisposeAsync()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task CommitsLeaveTheLogToTheCheckpointerWhichCopiesAllOfIt()
    {
        // SQLite also checkpoints when the last connection to a file closes (another test clearing the connection
        // pools would close this test's): one held open for the whole test keeps that out
        await using var held = new SqliteConnection($"Data Source={File}");
        await held.OpenAsync();
        var checkpointer = _host.Services.GetRequiredService<WalCheckpointer>();
        await checkpointer.CheckpointAsync();
        var before = new FileInfo(File).Length;

        // about 8 MB in one commit: far past SQLite's own 1,000-page checkpoint mark
        await using (var db = await _host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            db.Settings.AddRange(Enumerable.Range(0, 2000).Select(i => new SettingEntity { Key = $"k{i}", Value = new string('x', 4000), UpdatedUtc = DateTime.UtcNow }));
            await db.SaveChangesAsync();
        }
        Assert.Equal(before, new FileInfo(File).Length); // the pages are in the log only

        var (logPages, checkpointed) = await checkpointer.CheckpointAsync();
        Assert.True(logPages > 1000, $"{logPages} pages in the log");
        Assert.Equal(logPages, checkpointed);
        Assert.True(new FileInfo(File).Length > before + 7_000_000, $"{new FileInfo(File).Length} bytes after the checkpoint");
    }
}

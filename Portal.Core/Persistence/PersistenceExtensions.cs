using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Notifications;

namespace Portal.Core.Persistence;

public static class PersistenceExtensions
{
    public const string DefaultConnectionString = "Data Source=portal.db";

    public static IHostApplicationBuilder AddPersistence(this IHostApplicationBuilder builder)
    {
        var provider = builder.Configuration[$"{DatabaseOptions.Section}:Provider"] ?? "Sqlite";
        var connectionString = builder.Configuration.GetConnectionString("Portal");
        if (string.IsNullOrWhiteSpace(connectionString)) connectionString = DefaultConnectionString;
        connectionString = RootedAt(connectionString, builder.Environment.ContentRootPath);

        if (!string.Equals(provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(string.Equals(provider, "Postgres", StringComparison.OrdinalIgnoreCase)
                ? "Database:Provider 'Postgres' is not available in this build yet; use 'Sqlite'."
                : $"Database:Provider '{provider}' is not known; use 'Sqlite' or 'Postgres'.");
        }

        builder.Services.AddDbContextFactory<PortalDbContext>((services, o) =>
        {
            o.UseSqlite(connectionString).AddInterceptors(new SqliteConnectionSetup(automaticCheckpoints: false),
                new SqliteWriteGateInterceptor(services.GetService<ILogger<SqliteWriteGateInterceptor>>()),
                services.GetRequiredService<ChangeNotifier>().Interceptor);
        });
        builder.Services.AddSingleton<ChangeNotifier>();
        builder.Services.AddSingleton<DatabaseFileLock>();
        builder.Services.AddSingleton<DatabaseMigrator>();
        builder.Services.AddSingleton<WalCheckpointer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WalCheckpointer>());
        return builder;
    }

    /// A relative SQLite file is the content root's (where the settings are), not the working directory's, so that a
    /// published build started from anywhere keeps one database.
    public static string RootedAt(string connectionString, string contentRoot)
    {
        var sqlite = new SqliteConnectionStringBuilder(connectionString);
        if (sqlite.Mode == SqliteOpenMode.Memory || sqlite.DataSource is "" or ":memory:" || Path.IsPathRooted(sqlite.DataSource)
            || sqlite.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase)) return connectionString;
        sqlite.DataSource = Path.GetFullPath(Path.Combine(contentRoot, sqlite.DataSource));
        return sqlite.ConnectionString;
    }
}

/// Applies migrations once at start and puts SQLite into WAL mode (a property of the file, so once is enough). With a
/// `DatabaseFileLock` (the portal host), this process first takes ownership of the SQLite file.
public sealed class DatabaseMigrator(IDbContextFactory<PortalDbContext> factory, DatabaseFileLock? fileLock = null)
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            var connectionString = db.Database.GetConnectionString()!;
            var builder = new SqliteConnectionStringBuilder(connectionString);
            var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            fileLock?.Acquire(connectionString);
        }
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    public async Task<bool> CanConnectAsync(CancellationToken cancellationToken) 
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken);
    }
}

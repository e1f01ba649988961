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
        var provider = DatabaseProviders.Parse(builder.Configuration[$"{DatabaseOptions.Section}:Provider"]);
        var connectionString = builder.Configuration.GetConnectionString("Portal");
        builder.Services.AddSingleton<ChangeNotifier>();
        builder.Services.AddSingleton<DatabaseMigrator>();
        if (provider == DatabaseProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(connectionString) || connectionString.Contains("Data Source=", StringComparison.OrdinalIgnoreCase))
                throw new PortalStartupException("Database:Provider is Postgres: set ConnectionStrings:Portal to a PostgreSQL connection string " +
                    "(Host=…;Database=…;Username=…;Password=…).");
            builder.Services.AddDbContextFactory<PortalDbContext>((services, o) => UsePostgres(o, connectionString)
                .AddInterceptors(services.GetRequiredService<ChangeNotifier>().Interceptor));
            // one instance at a time until instances share the work (issue 14, part 2): the second is refused by name
            builder.Services.AddSingleton<IDatabaseOwnership>(_ => new PostgresInstanceLock(connectionString));
            return builder;
        }

        if (string.IsNullOrWhiteSpace(connectionString)) connectionString = DefaultConnectionString;
        connectionString = RootedAt(connectionString, builder.Environment.ContentRootPath);
        builder.Services.AddDbContextFactory<PortalDbContext>((services, o) =>
        {
            o.UseSqlite(connectionString).AddInterceptors(new SqliteConnectionSetup(automaticCheckpoints: false),
                new SqliteWriteGateInterceptor(services.GetService<ILogger<SqliteWriteGateInterceptor>>()),
                services.GetRequiredService<ChangeNotifier>().Interceptor);
        });
        builder.Services.AddSingleton<DatabaseFileLock>();
        builder.Services.AddSingleton<IDatabaseOwnership>(sp => sp.GetRequiredService<DatabaseFileLock>());
        builder.Services.AddSingleton<WalCheckpointer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WalCheckpointer>());
        return builder;
    }

    /// PostgreSQL with its own migration set; transient failures (a fail-over, a dropped connection) are retried by
    /// the callers that own their unit of work, not by the provider's execution strategy, which forbids the
    /// transactions Portal opens itself.
    public static TBuilder UsePostgres<TBuilder>(TBuilder options, string connectionString) where TBuilder : DbContextOptionsBuilder
    {
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(DatabaseProviders.PostgresMigrationsAssembly));
        return options;
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

/// Applies migrations once at start. SQLite: this process first takes ownership of the file, then the database goes
/// into WAL mode (a property of the file, so once is enough). PostgreSQL: EF Core's migration lock lets one of several
/// starting instances migrate; this process then takes its instance lock.
public sealed class DatabaseMigrator(IDbContextFactory<PortalDbContext> factory, IDatabaseOwnership? ownership = null)
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var connectionString = db.Database.GetConnectionString()!;
        if (db.Database.IsSqlite())
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            ownership?.Acquire(connectionString);
        }
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        else
            ownership?.Acquire(connectionString);
    }

    public async Task<bool> CanConnectAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken);
    }
}

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
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
        builder.Services.AddSingleton<ConfigGenerations>();
        builder.Services.AddSingleton<DatabaseMigrator>();
        builder.Services.AddSingleton<DatabaseReadiness>();
        if (provider == DatabaseProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(connectionString) || connectionString.Contains("Data Source=", StringComparison.OrdinalIgnoreCase))
                throw new PortalStartupException("Database:Provider is Postgres: set ConnectionStrings:Portal to a PostgreSQL connection string " +
                    "(Host=…;Database=…;Username=…;Password=…).");
            builder.Services.AddDbContextFactory<PortalDbContext>((services, o) => UsePostgres(o, connectionString)
                .AddInterceptors(services.GetRequiredService<ChangeNotifier>().Interceptor));
            // each instance's liveness, for the others to take over its work once it is gone
            builder.Services.TryAddSingleton<PortalInstance>();
            builder.Services.AddSingleton<IDatabaseOwnership>(sp => new PostgresInstanceLock(connectionString, sp.GetRequiredService<PortalInstance>()));
            // `ChangeBus:Enabled=false` leaves the other instances to learn of changes at their next event (tests, diagnosis)
            if (builder.Configuration.GetValue("ChangeBus:Enabled", true))
            {
                builder.Services.TryAddSingleton<PortalInstance>();
                builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<PostgresChangeBus>(sp, connectionString));
                builder.Services.AddHostedService(sp => sp.GetRequiredService<PostgresChangeBus>());
            }
            return builder;
        }

        connectionString = SqliteConnectionString(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddDbContextFactory<PortalDbContext>((services, o) =>
        {
            o.UseSqlite(connectionString).AddInterceptors(new SqliteConnectionSetup(automaticCheckpoints: false),
                new SqliteWriteGateInterceptor(services.GetService<ILogger<SqliteWriteGateInterceptor>>()),
                services.GetRequiredService<ChangeNotifier>().Interceptor);
        });
        builder.Services.AddSingleton<DatabaseFileLock>();
        builder.Services.AddSingleton<DatabaseFileIdentity>();
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

    /// `ConnectionStrings:Portal` (or the default), with a relative file rooted at the content root.
    public static string SqliteConnectionString(IConfiguration configuration, string contentRoot)
    {
        var connectionString = configuration.GetConnectionString("Portal");
        return RootedAt(string.IsNullOrWhiteSpace(connectionString) ? DefaultConnectionString : connectionString, contentRoot);
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
public sealed partial class DatabaseMigrator(IDbContextFactory<PortalDbContext> factory, IDatabaseOwnership? ownership = null,
    ILogger<DatabaseMigrator>? logger = null, DatabaseFileIdentity? file = null)
{
    /// How many upgrade backups are kept beside a SQLite database (the newest).
    public const int UpgradeBackupsKept = 3;

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var connectionString = db.Database.GetConnectionString()!;
        if (db.Database.IsSqlite())
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            DatabaseFileIdentity.CheckWritable(connectionString);
            ownership?.Acquire(connectionString);
            await BackUpBeforeUpgradeAsync(db, builder.DataSource, cancellationToken);
        }
        if (db.Database.IsSqlite()) await db.Database.MigrateAsync(cancellationToken);
        else await MigrateOneAtATimeAsync(db, connectionString, cancellationToken);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            file?.Open(connectionString);
        }
        else
            ownership?.Acquire(connectionString);
    }

    /// The session lock (`PostgresSessionLock`) instances hold while they migrate.
    public const string MigrationLockKey = "Portal migrations";

    /// Several instances starting together on one PostgreSQL database migrate it once: each waits for a session
    /// advisory lock before it reads what is applied, so the second finds the first's work done. (EF Core's own lock
    /// was seen to let two of three starting instances apply one migration each: the second failed with 42701.)
    private static async Task MigrateOneAtATimeAsync(PortalDbContext db, string connectionString, CancellationToken cancellationToken)
    {
        // ending the session frees the lock, however this ends
        await using var migrating = await PostgresSessionLock.TakeAsync(connectionString, MigrationLockKey, "Portal migrating", cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }

    /// An existing database with migrations to apply is copied first, beside itself, so that an upgrade that goes wrong
    /// can be undone by putting the copy back: `<file>.upgrade-<time>-<first migration>.bak`, the newest three kept.
    private async Task BackUpBeforeUpgradeAsync(PortalDbContext db, string file, CancellationToken cancellationToken)
    {
        if (!File.Exists(file) || new FileInfo(file).Length == 0) return;
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0 || !(await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Any()) return;
        var name = $"{Path.GetFileName(file)}.upgrade-{DateTime.UtcNow:yyyyMMddHHmmss}-{pending[0]}.bak";
        var backup = await SqliteBackup.BackupAsync(db.Database.GetConnectionString()!, Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, name),
            cancellationToken);
        var older = new DirectoryInfo(backup.DirectoryName!).GetFiles($"{Path.GetFileName(file)}.upgrade-*.bak")
            .OrderByDescending(f => f.Name, StringComparer.Ordinal).Skip(UpgradeBackupsKept);
        foreach (var old in older) old.Delete();
        if (logger is not null) LogUpgradeBackup(logger, pending.Count, backup.FullName);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upgrading the database ({Pending} migrations): a copy as it was is at {Backup}; put it back to undo the upgrade")]
    private static partial void LogUpgradeBackup(ILogger logger, int pending, string backup);

    public async Task<bool> CanConnectAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken);
    }
}

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Links;
using Portal.Core.Notifications;
using Portal.Core.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Portal.Core.Dispatch;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Sandbox;
using Portal.Core.Webhooks;
using Portal.Core.Rulesets;
using Portal.Core.Settings;
using Portal.Core.Telemetry;

namespace Portal.Tests.Infrastructure;

/// Portal.Core's services on a real, migrated SQLite file of their own, without the web host.
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _folder;
    private readonly Action<IServiceCollection>? _configure;
    private readonly ServiceProvider _services;
    private bool _handedOver;

    private readonly string? _postgres;

    /// `postgres`: a connection string to an empty PostgreSQL database (`PostgresCluster`) instead of a SQLite file.
    private TestDatabase(Action<IServiceCollection>? configure, string? folder = null, string? postgres = null)
    {
        _postgres = postgres;
        _folder = folder ?? Path.Combine(Path.GetTempPath(), "portal-core-tests", Guid.NewGuid().ToString("n"));
        _configure = configure;
        Directory.CreateDirectory(_folder);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection().Build());
        if (postgres is null)
            services.AddDbContextFactory<PortalDbContext>((sp, o) => o.UseSqlite($"Data Source={Path.Combine(_folder, "portal.db")}")
                .AddInterceptors(new SqliteConnectionSetup(), new SqliteWriteGateInterceptor(), sp.GetRequiredService<ChangeNotifier>().Interceptor));
        else
        {
            services.AddDbContextFactory<PortalDbContext>((sp, o) => PersistenceExtensions.UsePostgres(o, postgres)
                .AddInterceptors(sp.GetRequiredService<ChangeNotifier>().Interceptor));
            // an instance among several, alive while these services are (the migrator takes its liveness lock)
            services.TryAddSingleton<PortalInstance>();
            services.AddSingleton<IDatabaseOwnership>(sp => new PostgresInstanceLock(postgres, sp.GetRequiredService<PortalInstance>()));
        }
        services.AddSingleton<ChangeNotifier>();
        services.AddSingleton<ConfigGenerations>();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton<DatabaseMigrator>();
        services.AddSingleton<ObjectCatalog>();
        services.AddSingleton<RecordStore>();
        services.AddSingleton<IncidentLinks>();
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<Portal.Core.Security.AccessCheck>();
        services.AddLogging();
        services.AddPortalMetrics();
        services.AddSingleton<Portal.Core.Logging.IntegrationLog>();
        configure?.Invoke(services);
        _services = services.BuildServiceProvider();
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));

    /// With the rules wired to record changes, as the portal runs them.
    public static Task<TestDatabase> WithRulesAsync(Action<IServiceCollection>? configure = null, string? postgres = null) => CreateAsync(services =>
    {
        services.AddSingleton<RulesetStore>();
        services.AddSingleton<RuleRunner>();
        services.AddSingleton<IRecordChangeHandler>(sp => sp.GetRequiredService<RuleRunner>());
        services.AddSingleton<PagerDutyEventRules>();
        services.AddSingleton<RulesDryRun>();
        services.AddSingleton<DryRunReplay>();
        configure?.Invoke(services);
    }, postgres);

    /// With PagerDuty (the sandbox unless configured otherwise), the dispatcher and the event processing, as the
    /// portal wires them, minus the background services: tests drive `ActionDispatcher.RunDueAsync` and `DrainEventsAsync`.
    public static Task<TestDatabase> WithPagerDutyAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null,
        string? postgres = null) =>
        WithRulesAsync(services =>
        {
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build());
            services.AddDataProtection();
            services.AddPagerDutyServices();
            configure?.Invoke(services);
        }, postgres);

    /// Processes every pending webhook stored so far (the sandbox's, or deliveries), oldest first, as the background
    /// processor does; returns how many it took.
    public async Task<int> DrainEventsAsync()
    {
        var count = 0;
        for (int taken; (taken = await Get<WebhookProcessingService>().ProcessBatchAsync(WebhookProcessingService.BatchSize, default)) > 0;) count += taken;
        return count;
    }

    public static async Task<TestDatabase> CreateAsync(Action<IServiceCollection>? configure = null, string? postgres = null)
    {
        var database = new TestDatabase(configure, postgres: postgres);
        await database.Get<DatabaseMigrator>().MigrateAsync();
        return database;
    }

    /// Stops these services (as a process that stops) and starts fresh ones, wired the same, on the same database file;
    /// the new instance owns the file from then on.
    public async Task<TestDatabase> RestartAsync()
    {
        _handedOver = true;
        await _services.DisposeAsync();
        var next = new TestDatabase(_configure, _folder, _postgres);
        await next.Get<DatabaseMigrator>().MigrateAsync();
        return next;
    }

    /// PostgreSQL: another instance, wired the same, on the same database at the same time (its own clock, at the same
    /// time as this one's).
    public TestDatabase SecondInstance()
    {
        if (_postgres is null) throw new InvalidOperationException("Only PostgreSQL is shared by several instances at once.");
        var other = new TestDatabase(_configure, _folder, _postgres) { _handedOver = true };
        other.Clock.SetUtcNow(Clock.GetUtcNow());
        return other;
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public async Task<PortalDbContext> ContextAsync() => await Get<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_handedOver) return;
        // a database's idle pooled connections would hold the test cluster's slots for Npgsql's idle lifetime (5 min)
        if (_postgres is not null)
        {
            await using var connection = new Npgsql.NpgsqlConnection(_postgres);
            Npgsql.NpgsqlConnection.ClearPool(connection);
        }
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

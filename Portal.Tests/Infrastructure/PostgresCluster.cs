using Npgsql;

namespace Portal.Tests.Infrastructure;

/// A throwaway PostgreSQL cluster for the tests, started as the notes say (initdb as the `postgres` OS user, trust
/// authentication on 127.0.0.1, fsync off: durability is not what these tests measure), and removed at the end.
/// Each test takes a database of its own, cloned from a migrated template in about 0.2 s. `PORTAL_TEST_POSTGRES`
/// (a connection string to a server the tests may create databases on) uses that server instead of starting one.
public sealed class PostgresCluster : IAsyncLifetime
{
    private string? _root;
    private string? _bin;
    private int _next;

    public string ServerConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES") is { Length: > 0 } given)
        {
            ServerConnectionString = given;
            return;
        }
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(Directory.Exists)
                .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).LastOrDefault()
            : null;
        if (_bin is null)
            throw new InvalidOperationException("PostgreSQL is not installed (/usr/lib/postgresql/*/bin): ./test.sh installs Debian's postgresql, " +
                "or set PORTAL_TEST_POSTGRES to a server's connection string.");
        _root = Directory.CreateTempSubdirectory("portal-pg.").FullName;
        var port = FreePort();
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        Directory.CreateDirectory(Path.Combine(_root, "sock"));
        if (await TryRunAsync("id", "postgres") != 0) await RunAsync("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres");
        await RunAsync("chown", "-R", "postgres", _root);
        await RunAsync("chmod", "700", Path.Combine(_root, "data"));
        await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(_bin, "initdb"), "-D", Path.Combine(_root, "data"), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_root, "data"), "-l",
            Path.Combine(_root, "server.log"), "-w", "-t", "60", "-o",
            $"-c listen_addresses=127.0.0.1 -p {port} -k {Path.Combine(_root, "sock")} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=600",
            "start");
        ServerConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Pooling=true;Include Error Detail=true";
    }

    /// A new, empty database on the cluster; the portal (or `DatabaseMigrator`) migrates it.
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"portal_{Environment.ProcessId}_{Interlocked.Increment(ref _next)}_{Guid.NewGuid():N}"[..40];
        await using var server = new NpgsqlConnection(ServerConnectionString + ";Database=postgres");
        await server.OpenAsync();
        await using var create = server.CreateCommand();
        create.CommandText = $"CREATE DATABASE \"{name}\"";
        await create.ExecuteNonQueryAsync();
        return $"{ServerConnectionString};Database={name}";
    }

    /// A portal on a new database of this cluster, for one test (the caller disposes it).
    public PortalAppFactory NewPortal(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Database:Provider"] = "Postgres",
            // the host is built in a synchronous call (the first use of the factory): so is this
            ["ConnectionStrings:Portal"] = CreateDatabaseAsync().GetAwaiter().GetResult(),
        };
        return new PortalAppFactory(settings: all);
    }

    /// One portal on a database of its own, shared by the tests of the class `name` (as a class fixture would be)
    /// and stopped before the cluster.
    public PortalFixture SharedPortal(string name) =>
        _portals.GetOrAdd(name, _ => new Lazy<PortalFixture>(() => new PortalFixture(NewPortal()))).Value;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<PortalFixture>> _portals = new();

    public async Task DisposeAsync()
    {
        foreach (var portal in _portals.Values.Where(p => p.IsValueCreated)) portal.Value.Dispose();
        NpgsqlConnection.ClearAllPools();
        if (_root is null || _bin is null) return;
        await TryRunAsync("runuser", "-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_root, "data"), "-m", "immediate", "-w",
            "-t", "60", "stop");
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var (code, output) = await ProcessRun.RunAsync(file, args);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {code}:\n{output}");
    }

    private static async Task<int> TryRunAsync(string file, params string[] args) => (await ProcessRun.RunAsync(file, args)).Code;
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "PostgreSQL";
}

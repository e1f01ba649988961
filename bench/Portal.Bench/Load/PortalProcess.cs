using System.Diagnostics;

namespace Portal.Bench.Load;

/// The real portal, built with `dotnet build Portal/Portal.csproj -c Release -m:1`, started as its own process from the
/// repository root: `dotnet Portal/bin/Release/net10.0/Portal.dll --urls http://127.0.0.1:5099`, on a fresh database
/// file under /tmp/portal-bench, configured from the environment only. Its output goes to a log file beside it.
public sealed class PortalProcess : IAsyncDisposable
{
    public const string Url = "http://127.0.0.1:5099";

    private readonly Process _process;
    private readonly StreamWriter _log;

    private PortalProcess(Process process, StreamWriter log, string databaseFile)
    {
        _process = process;
        _log = log;
        DatabaseFile = databaseFile;
    }

    public string DatabaseFile { get; }

    public static string DatabasePath => Path.Combine(LoadCommon.Folder, "portal.db");

    /// `keepDatabase`: start on the database file as it is (prepared by the caller) instead of a fresh one.
    public static async Task<PortalProcess> StartAsync(string name, IReadOnlyDictionary<string, string> environment, bool keepDatabase = false)
    {
        var root = LoadCommon.RepoRoot();
        var dll = Path.Combine(root, "Portal/bin/Release/net10.0/Portal.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: run `dotnet build Portal/Portal.csproj -c Release -m:1` first.");
        Directory.CreateDirectory(LoadCommon.Folder);
        var databaseFile = Path.Combine(LoadCommon.Folder, "portal.db");
        if (!keepDatabase) foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(databaseFile + suffix);

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "Portal/bin/Release/net10.0/Portal.dll", "--urls", Url }) start.ArgumentList.Add(arg);
        start.Environment["ConnectionStrings__Portal"] = $"Data Source={databaseFile}";
        start.Environment["Authentication__BootstrapAdmin__Email"] = "admin@bench.test";
        start.Environment["Authentication__BootstrapAdmin__Password"] = "Bench-Admin-Password-1!";
        start.Environment["Portal__SeedSampleData"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        // PORTAL_BENCH_POSTGRES (a connection string whose user may create databases): the same load on PostgreSQL,
        // a fresh database for each start
        var postgres = Environment.GetEnvironmentVariable("PORTAL_BENCH_POSTGRES");
        if (!string.IsNullOrEmpty(postgres) && !keepDatabase)
        {
            start.Environment["Database__Provider"] = "Postgres";
            var fresh = await FreshPostgresDatabaseAsync(postgres, name);
            start.Environment["ConnectionStrings__Portal"] = fresh;
            databaseFile = "postgres:" + fresh;
        }

        var logFile = Path.Combine(LoadCommon.Folder, $"portal-{name}.log");
        // appended: a bench that starts the portal several times keeps every run's output
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        log.WriteLine($"---- {DateTime.UtcNow:O} portal started for {name}");
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var portal = new PortalProcess(process, log, databaseFile);
        LoadCommon.Say($"portal pid {process.Id}: dotnet Portal/bin/Release/net10.0/Portal.dll --urls {Url} (cwd {root}, database {databaseFile}, log {logFile}); " +
            $"environment keys: {string.Join(", ", start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal)).Order())}");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"The portal exited with {process.ExitCode}; see {logFile}.");
            try
            {
                using var ready = await http.GetAsync($"{Url}/readyz");
                if (ready.IsSuccessStatusCode) break;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(90)) throw new TimeoutException($"The portal did not become ready in 90 s; see {logFile}.");
            await Task.Delay(200);
        }
        LoadCommon.Say($"portal ready after {clock.Elapsed.TotalSeconds:0.0} s");
        return portal;
    }

    private static async Task<string> FreshPostgresDatabaseAsync(string connectionString, string name)
    {
        var database = $"portal_bench_{name.Replace('-', '_')}_{DateTime.UtcNow:HHmmss}";
        await using (var admin = new Npgsql.NpgsqlConnection(connectionString))
        {
            await admin.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM to this one process (its own pid), so that the host stops gracefully; SIGKILL if it does not.
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Portal.Core.Security;

namespace Portal.Tests.Infrastructure;

/// The real portal as an OS process of its own, started the way an operator starts it: `dotnet Portal.dll --urls
/// http://127.0.0.1:0` from the repository root (its content root), configured from the environment only, on the
/// SQLite file it is given. The port is the one Kestrel picks and reports ("Now listening on:"), so two processes
/// never race for one. Standard output and error are kept (`Output`) for failure messages. `KillAsync` is SIGKILL on
/// the whole process tree; `DisposeAsync` does the same if the process still runs, so that a failing test leaks none.
/// (The bench's `PortalProcess` does the same for load runs; tests cannot reference the bench.)
public sealed partial class PortalProcess : IAsyncDisposable
{
    /// The Administrator API token every portal process started here accepts.
    public const string AdminToken = "portal-process-test-token-0123456789abcdefghij";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PortalProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }
    public int Id => _process.Id;
    public Uri BaseUrl { get; private set; } = default!;
    public bool HasExited => _process.HasExited;

    /// Everything the process wrote so far, standard error lines marked.
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// Starts the portal on `databaseFile` (created and migrated by the portal when missing) and waits until `/readyz`
    /// answers 200. `environment` adds to or overrides the defaults (no sample data, Production, the admin token).
    /// `databaseFile` null leaves the database to the settings; `dll` and `workingDirectory` start another build (a
    /// published one) from elsewhere than the repository root.
    public static async Task<PortalProcess> StartAsync(string name, string? databaseFile, IReadOnlyDictionary<string, string> environment,
        TimeSpan? readyTimeout = null, string? dll = null, string? workingDirectory = null)
    {
        dll ??= PortalDll();
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "--urls", "http://127.0.0.1:0" }) start.ArgumentList.Add(arg);
        // what the test host's own environment might say about URLs or environment must not reach the portal
        foreach (var key in new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "ASPNETCORE_HOSTINGSTARTUPASSEMBLIES" })
            start.Environment.Remove(key);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        if (databaseFile is not null) start.Environment["ConnectionStrings__Portal"] = $"Data Source={databaseFile}";
        start.Environment["Portal__SeedSampleData"] = "false";
        start.Environment["ApiTokens__0__Name"] = "portal process test token";
        start.Environment["ApiTokens__0__Token"] = AdminToken;
        start.Environment["ApiTokens__0__Role"] = Roles.Administrator;
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var portal = new PortalProcess(name, new Process { StartInfo = start });
        portal._process.OutputDataReceived += (_, e) => portal.Collect(e.Data, error: false);
        portal._process.ErrorDataReceived += (_, e) => portal.Collect(e.Data, error: true);
        portal._process.Start();
        portal._process.BeginOutputReadLine();
        portal._process.BeginErrorReadLine();
        try
        {
            await portal.WaitUntilReadyAsync(readyTimeout ?? TimeSpan.FromSeconds(90));
        }
        catch
        {
            await portal.DisposeAsync();
            throw;
        }
        return portal;
    }

    /// An HTTP client for this process, with the Administrator token.
    public HttpClient CreateClient()
    {
        var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return http;
    }

    /// SIGKILL to the process and everything it started: no shutdown code runs, as when the machine or the OOM killer
    /// takes it. Returns once it is gone.
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(wait.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // never started, or would not die in 30 s: nothing more a test can do
        }
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        using (var cancel = new CancellationTokenSource(timeout))
        {
            var exited = _process.WaitForExitAsync(cancel.Token);
            var first = await Task.WhenAny(_listening.Task, exited);
            if (first == exited)
            {
                if (cancel.IsCancellationRequested) throw Failure($"did not report its address within {timeout.TotalSeconds:0} s");
                throw Failure($"exited with {_process.ExitCode} before it listened");
            }
            BaseUrl = await _listening.Task;
            await cancel.CancelAsync();
        }

        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_process.HasExited) throw Failure($"exited with {_process.ExitCode} before /readyz answered 200");
            try
            {
                using var ready = await http.GetAsync("/readyz");
                if (ready.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not serving yet
            }
            if (clock.Elapsed > timeout) throw Failure($"/readyz did not answer 200 within {timeout.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }

    private void Collect(string? line, bool error)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(error ? "[stderr] " + line : line);
        if (ListeningLine().Match(line) is { Success: true } match) _listening.TrySetResult(new Uri(match.Groups[1].Value.TrimEnd('/') + "/"));
    }

    private InvalidOperationException Failure(string what) =>
        new($"The portal process '{Name}' (pid {_process.Id}) {what}. Its output:\n{Output}");

    /// `Portal.dll` with its runtimeconfig and deps: the copy next to the test assembly (Portal.Tests references
    /// Portal), else the Portal project's own output for the same configuration.
    internal static string PortalDll()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testOutput.Parent?.Name ?? "Debug";
        var candidates = new[]
        {
            Path.GetDirectoryName(typeof(Program).Assembly.Location)!,
            Path.Combine(RepoPaths.Root, "Portal", "bin", configuration, testOutput.Name),
        };
        foreach (var folder in candidates)
        {
            var dll = Path.Combine(folder, "Portal.dll");
            if (File.Exists(dll) && File.Exists(Path.Combine(folder, "Portal.runtimeconfig.json")) && File.Exists(Path.Combine(folder, "Portal.deps.json")))
                return dll;
        }
        throw new InvalidOperationException($"No runnable Portal.dll (with Portal.runtimeconfig.json and Portal.deps.json) in: {string.Join(", ", candidates)}");
    }

    /// The dotnet host that runs these tests (the SDK sets DOTNET_HOST_PATH for its children), else `dotnet` on PATH.
    internal static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}

using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Bench.Records;
using Portal.Core.Persistence;

namespace Portal.Bench.Load;

/// `--log-purge [--entries N] [--rate R] [--seconds S] [--rounds K] [--reuse]`: the webhook intake's answer times at R
/// deliveries/s (default 500) for S seconds (default 20), on a portal whose log holds N (default 1,000,000) entries
/// dated 2020. Each of K rounds (default 3) runs two phases, each on a freshly started portal: a *baseline* with the
/// Logger tab's retention set to 36,500 days (nothing is expired), then a *purge* phase with the retention at 30 days
/// (every entry is expired and the purge, which runs right after start, deletes them while the load runs). A single
/// 20-second p99 on this machine moves by tens of milliseconds between runs of the same code, so the verdict is on
/// the phases pooled (every baseline answer against every purge-phase answer) and on the median of the rounds' rises.
/// A first phase, not counted, warms the file's pages. `--reuse` starts from the filled database kept by an earlier run (`portal-filled.db`) instead of filling again.
/// `--without-text-index` (a diagnostic) drops the log's trigram text index and its triggers first.
public static class LogPurgeLoad
{
    private const string Expired = "SELECT COUNT(*) FROM LogEntries WHERE TimeUtc < '2021-01-01'";
    private const string Pending = "SELECT COUNT(*) FROM WebhookEvents WHERE State = 'pending'";

    public static async Task RunAsync(string[] args)
    {
        var count = LoadCommon.Option(args, "--entries", 1_000_000);
        var rate = LoadCommon.Option(args, "--rate", 500);
        var seconds = LoadCommon.Option(args, "--seconds", 20);
        var rounds = LoadCommon.Option(args, "--rounds", 3);
        var file = PortalProcess.DatabasePath;
        var filled = Path.Combine(LoadCommon.Folder, "portal-filled.db");
        Directory.CreateDirectory(LoadCommon.Folder);
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
        LoadCommon.SayUptime("before");

        if (args.Contains("--reuse") && File.Exists(filled))
        {
            File.Copy(filled, file);
            Sync(file);
            LoadCommon.Say($"reused {filled} ({LoadCommon.CountRows(file, "SELECT COUNT(*) FROM LogEntries"):N0} log entries)");
        }
        else
        {
            var fill = Stopwatch.StartNew();
            await using (var provider = await RecordsDatabase.CreateAsync(file))
                await LogQueryLoad.FillAsync(provider.GetRequiredService<IDbContextFactory<PortalDbContext>>(), count, new DateTime(2020, 6, 1), new DateTime(2020, 1, 1));
            LoadCommon.Execute(file, "PRAGMA wal_checkpoint(TRUNCATE);");
            File.Copy(file, filled, overwrite: true);
            Sync(filled);
            LoadCommon.Say(FormattableString.Invariant($"filled {count:N0} log entries dated 2020 in {fill.Elapsed.TotalSeconds:0.0} s (kept as {filled} for --reuse)"));
        }
        if (args.Contains("--without-text-index"))
        {
            LoadCommon.Execute(file, "DROP TRIGGER LogEntries_Text_Insert; DROP TRIGGER LogEntries_Text_Delete; DROP TABLE LogEntriesText;");
            LoadCommon.Say("diagnostic: the text index and its triggers are dropped");
        }

        // the first portal on a copied or new file meets a cold cache and answers far slower for its first seconds,
        // whatever runs; that phase is not counted
        await RunPhaseAsync("warm-up phase, not counted (retention 36,500 days)", 36_500, rate, seconds);
        var baseline = new List<double>();
        var purging = new List<double>();
        var rises = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            var quiet = await RunPhaseAsync($"round {round} baseline (retention 36,500 days: nothing to purge)", 36_500, rate, seconds);
            var busy = await RunPhaseAsync($"round {round} purge (retention 30 days: every entry expired)", 30, rate, seconds);
            baseline.AddRange(quiet);
            purging.AddRange(busy);
            var rise = P99(busy) - P99(quiet);
            rises.Add(rise);
            LoadCommon.Say(FormattableString.Invariant($"round {round}: p99 {P99(quiet):0.0} ms → {P99(busy):0.0} ms, rise {rise:+0.0;-0.0} ms"));
        }
        LoadCommon.Say($"pooled baseline: {LoadCommon.Distribution(baseline)}");
        LoadCommon.Say($"pooled purge:    {LoadCommon.Distribution(purging)}");
        var each = string.Join(", ", rises.Select(r => r.ToString("+0.0;-0.0", CultureInfo.InvariantCulture)));
        LoadCommon.Say(FormattableString.Invariant(
            $"pooled p99 rose by {P99(purging) - P99(baseline):+0.0;-0.0} ms; median of the rounds' rises {rises.Order().ElementAt(rises.Count / 2):+0.0;-0.0} ms (rounds: {each}; target: at most +50 ms)"));
        LoadCommon.Say(FormattableString.Invariant($"expired entries left: {LoadCommon.CountRows(file, Expired):N0}"));
        LoadCommon.SayUptime("after");
    }

    /// Writes a copied file through to the disk before the load starts: the copy's dirty pages would otherwise be
    /// flushed during the first phases and slow every commit's fsync there.
    private static void Sync(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    private static double P99(IEnumerable<double> values) => LoadCommon.Percentile(values.Order().ToArray(), 99);

    private static async Task<List<double>> RunPhaseAsync(string name, int retentionDays, int rate, int seconds)
    {
        // the Logger tab's setting, as the portal stores it; the portal reads it when it starts
        LoadCommon.Execute(PortalProcess.DatabasePath, $$"""
            INSERT INTO Settings (Key, Value, UpdatedUtc, UpdatedBy) VALUES ('logger', '{"level":"Info","retentionDays":{{retentionDays}}}', '2026-01-01 00:00:00', 'bench')
            ON CONFLICT (Key) DO UPDATE SET Value = excluded.Value
            """);
        await using var portal = await PortalProcess.StartAsync("log-purge", new Dictionary<string, string> { ["PagerDuty__WebhookSecrets__0"] = WebhookLoad.Secret },
            keepDatabase: true);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseCookies = false })
        { BaseAddress = new Uri(PortalProcess.Url), Timeout = TimeSpan.FromSeconds(60) };
        // each phase starts with the deliveries of the one before processed (at 500/s the processing falls behind on
        // this machine, and a backlog carried into the next phase would load it with work that is not its own)
        var draining = Stopwatch.StartNew();
        while (LoadCommon.CountRows(portal.DatabaseFile, Pending) > 0 && draining.Elapsed < TimeSpan.FromMinutes(3)) await Task.Delay(500);
        LoadCommon.Say(FormattableString.Invariant($"{name}: earlier deliveries processed after {draining.Elapsed.TotalSeconds:0} s"));
        var deliveries = WebhookLoad.Deliveries(WebhookLoad.Template(), "p" + DateTime.UtcNow.ToString("HHmmssfff", CultureInfo.InvariantCulture), 1_000_000);
        var warm = await WebhookLoad.ClosedLoopAsync(http, deliveries, 32, TimeSpan.FromSeconds(3), 1_000);
        LoadCommon.Say($"{name}: warm-up {warm.Describe()}");
        var before = LoadCommon.CountRows(portal.DatabaseFile, Expired);
        LoadCommon.SayUptime($"{name}, before the open loop");
        var open = await WebhookLoad.OpenLoopAsync(http, deliveries, rate, TimeSpan.FromSeconds(seconds));
        var after = LoadCommon.CountRows(portal.DatabaseFile, Expired);
        LoadCommon.Say($"{name}: open loop {rate}/s for {seconds} s: {open.Describe()}");
        LoadCommon.Say($"  answer time from the scheduled send: {LoadCommon.Distribution(open.FromScheduled)}");
        LoadCommon.Say($"  slowest answer (ms) in each second: {open.Timeline()}");
        var pending = LoadCommon.CountRows(portal.DatabaseFile, Pending);
        LoadCommon.Say(FormattableString.Invariant(
            $"  entries dated 2020: {before:N0} when the loop started, {after:N0} when it ended ({before - after:N0} purged during the loop); deliveries still to process: {pending:N0}"));
        if (retentionDays < 365)
        {
            // the pace with no load: the purge goes back to its quiet chunks once the intake stops
            await Task.Delay(TimeSpan.FromSeconds(10));
            var rested = LoadCommon.CountRows(portal.DatabaseFile, Expired);
            LoadCommon.Say(FormattableString.Invariant($"  with no load for the next 10 s: {after - rested:N0} purged ({(after - rested) / 10.0:N0}/s)"));
        }
        return [.. open.FromScheduled];
    }
}

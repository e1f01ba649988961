using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Bench.Records;
using Portal.Core.Persistence;

namespace Portal.Bench.Load;

/// `--log-purge [--entries N] [--rate R] [--seconds S]`: the webhook intake's answer times at R deliveries/s (default
/// 500) for S seconds (default 20), once on a portal whose log holds N (default 1,000,000) entries that are all
/// within the retention, and once on the same database after those entries were moved 60 days back, so that the
/// portal's hourly purge (which runs first thing after start) deletes all of them while the load runs.
/// `--without-text-index` (a diagnostic) drops the log's trigram text index and its triggers before the purge phase,
/// to measure the index's share of the purge's cost.
public static class LogPurgeLoad
{
    public static async Task RunAsync(string[] args)
    {
        var count = WebhookLoad.Option(args, "--entries", 1_000_000);
        var rate = WebhookLoad.Option(args, "--rate", 500);
        var seconds = WebhookLoad.Option(args, "--seconds", 20);
        var file = PortalProcess.DatabasePath;
        Directory.CreateDirectory(LoadCommon.Folder);
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
        LoadCommon.SayUptime("before");

        var fill = Stopwatch.StartNew();
        var now = DateTime.UtcNow;
        await using (var provider = await RecordsDatabase.CreateAsync(file))
            await LogQueryLoad.FillAsync(provider.GetRequiredService<IDbContextFactory<PortalDbContext>>(), count, now.AddMinutes(-5), now.AddDays(-20));
        LoadCommon.Say(FormattableString.Invariant($"filled {count:N0} log entries (within the 30-day retention) in {fill.Elapsed.TotalSeconds:0.0} s"));

        var baseline = await RunPhaseAsync("baseline: nothing to purge", count, rate, seconds);

        // the same entries, now older than the retention: the purge deletes all of them
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            if (args.Contains("--without-text-index"))
            {
                command.CommandText = "DROP TRIGGER LogEntries_Text_Insert; DROP TRIGGER LogEntries_Text_Delete; DROP TABLE LogEntriesText;";
                command.ExecuteNonQuery();
                LoadCommon.Say("diagnostic: the text index and its triggers are dropped");
            }
            command.CommandText = "UPDATE LogEntries SET TimeUtc = '2020-01-01 00:00:00' WHERE Id <= (SELECT MAX(Id) FROM LogEntries)";
            var moved = Stopwatch.StartNew();
            var rows = command.ExecuteNonQuery();
            LoadCommon.Say(FormattableString.Invariant($"moved {rows:N0} entries past the retention in {moved.Elapsed.TotalSeconds:0.0} s"));
        }
        var purging = await RunPhaseAsync("purge running", count, rate, seconds);
        LoadCommon.Say(FormattableString.Invariant($"p99 rose by {purging - baseline:0.0} ms (target: at most 50 ms)"));
        LoadCommon.SayUptime("after");
    }

    private static async Task<double> RunPhaseAsync(string name, int expired, int rate, int seconds)
    {
        await using var portal = await PortalProcess.StartAsync("log-purge", new Dictionary<string, string> { ["PagerDuty__WebhookSecrets__0"] = WebhookLoad.Secret },
            keepDatabase: true);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseCookies = false })
        { BaseAddress = new Uri(PortalProcess.Url), Timeout = TimeSpan.FromSeconds(60) };
        var deliveries = WebhookLoad.Deliveries(WebhookLoad.Template(), name[..4] + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture), 1_000_000);
        var warm = await WebhookLoad.ClosedLoopAsync(http, deliveries, 32, TimeSpan.FromSeconds(3), 1_000);
        LoadCommon.Say($"{name}: warm-up {warm.Describe()}");
        var before = LoadCommon.CountRows(portal.DatabaseFile, "SELECT COUNT(*) FROM LogEntries WHERE TimeUtc < '2021-01-01'");
        LoadCommon.SayUptime($"{name}, before the open loop");
        var clock = Stopwatch.StartNew();
        var open = await WebhookLoad.OpenLoopAsync(http, deliveries, rate, TimeSpan.FromSeconds(seconds));
        var after = LoadCommon.CountRows(portal.DatabaseFile, "SELECT COUNT(*) FROM LogEntries WHERE TimeUtc < '2021-01-01'");
        LoadCommon.Say($"{name}: open loop {rate}/s for {seconds} s: {open.Describe()}");
        LoadCommon.Say($"  answer time from the scheduled send: {LoadCommon.Distribution(open.FromScheduled)}");
        LoadCommon.Say(FormattableString.Invariant($"  expired entries: {before:N0} when the loop started, {after:N0} when it ended ({before - after:N0} purged during the loop)"));
        if (after > 0 && before > 0)
        {
            while (LoadCommon.CountRows(portal.DatabaseFile, "SELECT COUNT(*) FROM LogEntries WHERE TimeUtc < '2021-01-01'") > 0 && clock.Elapsed < TimeSpan.FromMinutes(15))
                await Task.Delay(1000);
            LoadCommon.Say(FormattableString.Invariant($"  purge finished {clock.Elapsed.TotalSeconds:0} s after the loop started"));
        }
        LoadCommon.SayUptime($"{name}, after");
        var sorted = open.FromScheduled.Order().ToArray();
        return LoadCommon.Percentile(sorted, 99);
    }
}

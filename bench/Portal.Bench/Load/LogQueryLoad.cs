using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Bench.Records;
using Portal.Core.Logging;
using Portal.Core.Persistence;
using LogLevel = Portal.Core.Logging.LogLevel;

namespace Portal.Bench.Load;

/// `--log-query [--entries N]`: the log viewer's page query (`IntegrationLog.QueryAsync`, a page of 50 with its total,
/// exactly as the viewer and `GET /api/logs` run it) over N entries (default 1,000,000) on a migrated SQLite file,
/// one filter at a time, 5 warm-up and 40 measured runs each.
public static class LogQueryLoad
{
    public static async Task RunAsync(string[] args)
    {
        var count = LoadCommon.Option(args, "--entries", 1_000_000);
        Directory.CreateDirectory(LoadCommon.Folder);
        var file = Path.Combine(LoadCommon.Folder, "logs.db");
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
        LoadCommon.SayUptime("before");
        await using var provider = await RecordsDatabase.CreateAsync(file);
        var now = DateTime.UtcNow;
        var fill = Stopwatch.StartNew();
        var probe = await FillAsync(provider.GetRequiredService<IDbContextFactory<PortalDbContext>>(), count, now, now.AddDays(-30));
        LoadCommon.Say(FormattableString.Invariant($"filled {count:N0} entries over 30 days in {fill.Elapsed.TotalSeconds:0.0} s; database {new FileInfo(file).Length / 1024.0 / 1024:0} MB"));

        var log = provider.GetRequiredService<IntegrationLog>();
        var filters = new (string Name, LogQuery Query)[]
        {
            ("no filter, newest first", new LogQuery(Limit: 50)),
            ("level Error and above", new LogQuery(Level: LogLevel.Error, Limit: 50)),
            ("category action", new LogQuery(Category: LogCategories.Action, Limit: 50)),
            ("level Warning+, category webhook", new LogQuery(Level: LogLevel.Warning, Category: LogCategories.Webhook, Limit: 50)),
            ("last 24 hours", new LogQuery(Since: now.AddDays(-1), Limit: 50)),
            ("last 24 hours, level Error", new LogQuery(Level: LogLevel.Error, Since: now.AddDays(-1), Limit: 50)),
            ("one record", new LogQuery(RecordId: probe.RecordId, Limit: 50)),
            ("one incident", new LogQuery(IncidentId: probe.IncidentId, Limit: 50)),
            ("one correlation id, oldest first", new LogQuery(CorrelationId: probe.Correlation, Limit: 50, OldestFirst: true)),
            ("text \"failed for good\"", new LogQuery(Text: "failed for good", Limit: 50)),
            ("text, level Error", new LogQuery(Level: LogLevel.Error, Text: "Service not found", Limit: 50)),
            ("no filter, page 200 (offset 9,950)", new LogQuery(Limit: 50, Offset: 9_950)),
        };
        LoadCommon.Say("| filter | matching entries | p50 ms | p95 ms | max ms |");
        LoadCommon.Say("|---|---:|---:|---:|---:|");
        foreach (var (name, query) in filters)
        {
            var times = new List<double>();
            var total = 0;
            for (var i = 0; i < 45; i++)
            {
                var started = Stopwatch.GetTimestamp();
                (_, total) = await log.QueryAsync(query);
                if (i >= 5) times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            times.Sort();
            var sorted = times.ToArray();
            LoadCommon.Say(FormattableString.Invariant(
                $"| {name} | {total:N0} | {LoadCommon.Percentile(sorted, 50):0.0} | {LoadCommon.Percentile(sorted, 95):0.0} | {sorted[^1]:0.0} |"));
        }
        LoadCommon.SayUptime("after");
    }

    public sealed record Probe(string RecordId, string IncidentId, Guid Correlation);

    /// `count` entries shaped like a busy portal's: a few entries per correlated event, mostly Debug and Info, half
    /// about a record and most about an incident, spread evenly between `oldest` and `newest`. Returns ids to filter by.
    public static async Task<Probe> FillAsync(IDbContextFactory<PortalDbContext> factory, int count, DateTime newest, DateTime oldest)
    {
        var random = new Random(20261127);
        var span = (newest - oldest).Ticks;
        Guid correlation = Guid.NewGuid();
        Probe? probe = null;
        const int batch = 20_000;
        for (var start = 0; start < count; start += batch)
        {
            await using var db = await factory.CreateDbContextAsync();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var entries = new List<LogEntryEntity>(batch);
            for (var i = start; i < Math.Min(count, start + batch); i++)
            {
                if (i % 4 == 0) correlation = Guid.NewGuid();
                var roll = random.Next(100);
                var level = roll < 40 ? LogLevel.Debug : roll < 90 ? LogLevel.Info : roll < 97 ? LogLevel.Warning : LogLevel.Error;
                var category = (i % 20) switch { < 7 => LogCategories.Webhook, < 14 => LogCategories.Rule, < 18 => LogCategories.Action, 18 => LogCategories.Security, _ => LogCategories.Config };
                var record = random.Next(2) == 0 ? $"{random.Next(100_000):x32}" : null;
                var incident = random.Next(10) < 6 ? $"QB{random.Next(50_000):D12}" : null;
                var message = (category, level) switch
                {
                    (LogCategories.Action, LogLevel.Error) => $"createIncident failed for good: PagerDuty answered 400: Service not found ({i})",
                    (LogCategories.Action, _) => $"Sent acknowledgeIncident: incident #{i % 50_000} is acknowledged",
                    (LogCategories.Webhook, _) => $"Received incident.triggered for incident {i % 50_000}",
                    (LogCategories.Rule, _) => $"Rule Page support for high-priority cases matched Case {record ?? "00000001"}",
                    _ => $"Entry {i} in {category}",
                };
                entries.Add(new LogEntryEntity
                {
                    TimeUtc = oldest.AddTicks(span / count * i), Level = level, Category = category, Message = message, CorrelationId = correlation,
                    RecordId = record, IncidentId = incident,
                    Details = i % 2 == 0 ? $$"""{"eventId":"BENCH{{i:D15}}","eventType":"incident.triggered","status":"triggered","bytes":1834}""" : null,
                });
                if (i == count / 2 && record is not null && incident is not null) probe = new Probe(record, incident, correlation);
            }
            db.LogEntries.AddRange(entries);
            await db.SaveChangesAsync();
            if (probe is null && start + batch > count / 2)
            {
                var middle = entries.First(e => e.RecordId is not null && e.IncidentId is not null);
                probe = new Probe(middle.RecordId!, middle.IncidentId!, middle.CorrelationId!.Value);
            }
        }
        return probe!;
    }
}

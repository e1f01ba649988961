using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Persistence;
using Portal.Core.Settings;

namespace Portal.Core.Logging;

/// The Logger tab's settings: the level kept (Debug: everything; Info: info, warnings and errors; Error: errors
/// only) and how many days entries are kept.
public sealed record LoggerSettings : IValidatedSetting
{
    public const string Key = "logger";
    public const int MaxRetentionDays = 3650;
    public LogLevel Level { get; init; } = LogLevel.Info;
    public int RetentionDays { get; init; } = 30;

    /// What is wrong with `days` as the retention (none given: an empty field), or null.
    public static string? RetentionProblem(int? days) => days switch
    {
        null => $"Enter how many days to keep entries: 1 to {MaxRetentionDays}.",
        < 1 or > MaxRetentionDays => $"{days} days is not a storage interval: keep entries between 1 and {MaxRetentionDays} days.",
        _ => null,
    };

    public void Validate()
    {
        if (RetentionProblem(RetentionDays) is { } problem) throw new PortalValidationException("retentionDays", problem);
    }
}

public sealed record LogEntryDto(long Id, DateTime TimeUtc, string Level, string Category, string Message, Guid? CorrelationId,
    string? RecordId, string? IncidentId, JsonElement? Details);

/// `Expired`: entries past the retention that the purge has not deleted yet (it yields to live work, so a busy portal
/// can hold some for a while); `LastPurge`: the last purge that finished since the portal started. `Dropped`: entries
/// the full queue let go since start; `Lost`: entries whose store failed since start (each failure is in the host's log).
public sealed record LogStats(long Entries, DateTime? OldestUtc, long DatabaseBytes, int RetentionDays, long Expired, LogPurge? LastPurge,
    long Dropped = 0, long Lost = 0);

public sealed record LogPurge(DateTime FinishedUtc, int Purged, TimeSpan Took, int Chunks, int BusyChunks);

public sealed record LogQuery(LogLevel? Level = null, string? Category = null, DateTime? Since = null, DateTime? Until = null, string? Text = null,
    Guid? CorrelationId = null, string? RecordId = null, string? IncidentId = null, int Limit = 100, int Offset = 0, bool OldestFirst = false);

/// Writes log entries without ever slowing or failing the work they describe: entries go to a bounded queue
/// (the oldest is dropped when it is full, and counted) and a background writer stores them in batches. The audit
/// trail (category `config`) never takes the queue: `AuditEntry` makes the entry for the change's own transaction.
public sealed partial class IntegrationLog : BackgroundService
{
    public const int DefaultCapacity = 20_000;

    private readonly IDbContextFactory<PortalDbContext> _dbFactory;
    private readonly SettingsStore _settingsStore;
    private readonly Notifications.ChangeNotifier _notifier;
    private readonly TimeProvider _clock;
    private readonly ILogger<IntegrationLog> _logger;
    private readonly Telemetry.PortalMetrics _metrics;
    private readonly Channel<LogEntryEntity> _queue;
    // one flush at a time, so that entries are stored in the order they were written
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private volatile LoggerSettings _settings = new();
    private volatile LogPurge? _lastPurge;
    private long _dropped;
    private long _lost;

    public IntegrationLog(IDbContextFactory<PortalDbContext> dbFactory, SettingsStore settings, Notifications.ChangeNotifier notifier, TimeProvider clock,
        Telemetry.PortalMetrics metrics, ILogger<IntegrationLog> logger)
        : this(dbFactory, settings, notifier, clock, metrics, logger, DefaultCapacity)
    {
    }

    /// Stored entries announce themselves (`LogEntriesStored`, from their rows once committed), flushes and audit entries alike.
    internal IntegrationLog(IDbContextFactory<PortalDbContext> dbFactory, SettingsStore settings, Notifications.ChangeNotifier notifier, TimeProvider clock,
        Telemetry.PortalMetrics metrics, ILogger<IntegrationLog> logger, int capacity)
    {
        (_dbFactory, _settingsStore, _notifier, _clock, _metrics, _logger) = (dbFactory, settings, notifier, clock, metrics, logger);
        _queue = Channel.CreateBounded<LogEntryEntity>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest },
            _ => Interlocked.Increment(ref _dropped));
    }


    /// Entries the full queue dropped since start (the writer fell behind).
    public long Dropped => Interlocked.Read(ref _dropped);

    /// Entries taken from the queue whose store failed since start.
    public long Lost => Interlocked.Read(ref _lost);

    public bool IsEnabled(LogLevel level) => level >= _settings.Level;

    public void Write(LogLevel level, string category, string message, Guid? correlationId = null, string? recordId = null,
        string? incidentId = null, object? details = null)
    {
        // the queue may drop entries; the audit trail must not be among them
        if (category == LogCategories.Config)
            throw new InvalidOperationException("Audit entries (category 'config') are stored with their change: add IntegrationLog.AuditEntry(...) " +
                "to the change's DbContext, or call AuditAsync for a change made elsewhere.");
        if (level < _settings.Level) return;
        _queue.Writer.TryWrite(LogEntryEntity.Create(_clock.GetUtcNow().UtcDateTime, level, category, message, correlationId, recordId, incidentId, details));
    }

    /// An audit-trail entry (category `config`, kept at every level) for the caller to add to the DbContext of the change it
    /// describes, so that the two commit together or not at all.
    public LogEntryEntity AuditEntry(string message, object? details = null) => ConfigAudit.Entry(_clock.GetUtcNow().UtcDateTime, message, details);

    /// Stores an audit entry by itself, for a change that is made at PagerDuty with nothing stored in Portal
    /// (re-enabling a subscription); call it once the change succeeded.
    public async Task AuditAsync(string message, object? details = null, CancellationToken cancellationToken = default)
    {
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        db.LogEntries.Add(AuditEntry(message, details));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task RefreshSettingsAsync(CancellationToken cancellationToken = default) =>
        _settings = await _settingsStore.GetAsync(LoggerSettings.Key, () => new LoggerSettings(), cancellationToken);

    /// Stores what is queued now (the background writer does this continuously; tests call it directly). A store
    /// that fails is logged to the host's log and its entries counted as lost (`Lost`); the answer is then false.
    public async Task<bool> FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken);
        var batch = new List<LogEntryEntity>();
        try
        {
            while (batch.Count < 1000 && _queue.Reader.TryRead(out var entry)) batch.Add(entry);
            if (batch.Count == 0) return true;
            await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
            db.LogEntries.AddRange(batch);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Add(ref _lost, batch.Count);
            LogFlushFailed(e, batch.Count);
            return false;
        }
        finally
        {
            _flushing.Release();
        }
        return true;
    }

    public async Task<(IReadOnlyList<LogEntryDto> Entries, int Total)> QueryAsync(LogQuery query, CancellationToken cancellationToken = default)
    {
        if (query.Limit is < 1 or > 1000) throw new PortalValidationException("limit", "'limit' must be between 1 and 1000.");
        if (query.Offset < 0) throw new PortalValidationException("offset", "'offset' must be 0 or more.");
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        var entries = db.LogEntries.AsNoTracking();
        if (query.Level is { } level) entries = entries.Where(e => e.Level >= level);
        if (!string.IsNullOrEmpty(query.Category))
        {
            var category = LogCategories.Normalize(query.Category);
            entries = entries.Where(e => e.Category == category);
        }
        if (query.Since is { } since) entries = entries.Where(e => e.TimeUtc >= since);
        if (query.Until is { } until) entries = entries.Where(e => e.TimeUtc <= until);
        if (query.CorrelationId is { } correlation) entries = entries.Where(e => e.CorrelationId == correlation);
        if (!string.IsNullOrEmpty(query.RecordId)) entries = entries.Where(e => e.RecordId == query.RecordId);
        if (!string.IsNullOrEmpty(query.IncidentId)) entries = entries.Where(e => e.IncidentId == query.IncidentId);
        if (!string.IsNullOrWhiteSpace(query.Text)) entries = WithText(db, entries, query.Text.Trim());
        var total = await entries.CountAsync(cancellationToken);
        // the page's ids first, from the indexes alone; then only those rows (a filter that matches tens of thousands
        // of entries would otherwise read every one of them to sort)
        var ordered = query.OldestFirst ? entries.OrderBy(e => e.Id) : entries.OrderByDescending(e => e.Id);
        var ids = await ordered.Select(e => e.Id).Skip(query.Offset).Take(query.Limit).ToListAsync(cancellationToken);
        var rows = await db.LogEntries.AsNoTracking().Where(e => ids.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken);
        return (ids.Where(rows.ContainsKey).Select(id => ToDto(rows[id])).ToList(), total);
    }

    /// Entries whose message contains `text`, in any case. Three characters or more are looked up in the trigram
    /// index (a phrase of trigrams is exactly a substring); shorter text is rare and scans.
    private static IQueryable<LogEntryEntity> WithText(PortalDbContext db, IQueryable<LogEntryEntity> entries, string text)
    {
        // PostgreSQL: ILIKE, which the pg_trgm GIN index answers for three characters or more
        if (db.Database.IsNpgsql()) return entries.Where(e => EF.Functions.ILike(e.Message, "%" + EscapeLike(text) + "%", "\\"));
        if (text.Length < 3) return entries.Where(e => EF.Functions.Like(e.Message, "%" + EscapeLike(text) + "%", "\\"));
        var phrase = "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var matching = db.Database.SqlQuery<long>($"""SELECT rowid AS "Value" FROM "LogEntriesText" WHERE "LogEntriesText" MATCH {phrase}""");
        return entries.Where(e => matching.Contains(e.Id));
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    /// For the Summary tab: how many entries are kept, the oldest, and the database file's size (the log is most of
    /// it on a busy portal; SQLite's per-table sizes would need a scan of every page).
    public async Task<LogStats> StatsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        var count = await db.LogEntries.LongCountAsync(cancellationToken);
        var oldest = await db.LogEntries.OrderBy(e => e.TimeUtc).Select(e => (DateTime?)e.TimeUtc).FirstOrDefaultAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = db.Database.IsNpgsql() ? "SELECT pg_database_size(current_database())"
            : "SELECT (SELECT page_count FROM pragma_page_count()) * (SELECT page_size FROM pragma_page_size())";
        var bytes = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        var retention = (await _settingsStore.GetAsync(LoggerSettings.Key, () => new LoggerSettings(), cancellationToken)).RetentionDays;
        var cutoff = Cutoff(retention);
        var expired = await db.LogEntries.LongCountAsync(e => e.TimeUtc < cutoff, cancellationToken);
        return new LogStats(count, oldest, bytes, retention, expired, _lastPurge, Dropped, Lost);
    }

    /// Deletes entries older than the retention, in chunks paced to yield to live work (`PacedPurge`). Each run is
    /// counted (`portal.log.purges`), a failed one too; the caller logs the failure.
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        PurgeResult result;
        try
        {
            var cutoff = Cutoff((await _settingsStore.GetAsync(LoggerSettings.Key, () => new LoggerSettings(), cancellationToken)).RetentionDays);
            result = await PacedPurge.RunAsync(_dbFactory, "log retention", async (db, size, ct) =>
            {
                // oldest first by the time index: with nothing expired this reads one index entry, not the whole table
                var chunk = await db.LogEntries.Where(e => e.TimeUtc < cutoff).OrderBy(e => e.TimeUtc).Select(e => e.Id).Take(size).ToListAsync(ct);
                return chunk.Count == 0 ? 0 : await db.LogEntries.Where(e => chunk.Contains(e.Id)).ExecuteDeleteAsync(ct);
            }, PurgePace.Default, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics.LogPurged(succeeded: false);
            throw;
        }
        // another instance sharing the database is running this purge: its run is the one to count
        if (result.Skipped) return 0;
        _metrics.LogPurged(succeeded: true);
        _lastPurge = new LogPurge(_clock.GetUtcNow().UtcDateTime, result.Purged, result.Took, result.Chunks, result.BusyChunks);
        return result.Purged;
    }

    private DateTime Cutoff(int retentionDays) => _clock.GetUtcNow().UtcDateTime.AddDays(-Math.Max(1, retentionDays));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RefreshSettingsAsync(stoppingToken);
        using var settingChanged = _notifier.Subscribe<Notifications.SettingChanged>(setting =>
        {
            if (setting.Key == LoggerSettings.Key) _ = RefreshSettingsAsync(CancellationToken.None);
        });
        // the purge has a loop of its own: entries keep being stored while it runs
        await Task.WhenAll(WriteLoopAsync(stoppingToken),
            Periodic.RunAsync("The log retention purge", PurgeAsync, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), _clock, _logger, stoppingToken));
    }

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // a failed store is logged and counted by FlushAsync; the next one waits a second (the database busy or gone)
                if (await _queue.Reader.WaitToReadAsync(stoppingToken) && !await FlushAsync(stoppingToken))
                    await Task.Delay(TimeSpan.FromSeconds(1), _clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error,
        Message = "Storing {Count} integration log entries failed; they are lost (the Summary tab counts them)")]
    private partial void LogFlushFailed(Exception error, int count);

    private static LogEntryDto ToDto(LogEntryEntity e) => new(e.Id, e.TimeUtc, e.Level.ToString(), e.Category, e.Message, e.CorrelationId,
        e.RecordId, e.IncidentId, e.Details is null ? null : JsonDocument.Parse(e.Details).RootElement.Clone());
}

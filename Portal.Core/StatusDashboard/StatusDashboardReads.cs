using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.PagerDuty;
using Portal.Core.Persistence;

namespace Portal.Core.StatusDashboard;

/// The last read of PagerDuty for the Status Dashboard, kept in the database: every instance sharing it serves that
/// read (only one of them reads PagerDuty at a time), and after a restart the dashboard shows it at once.
public sealed class StatusDashboardReadEntity
{
    public const int SingleId = 1;
    public int Id { get; set; } = SingleId;
    /// `live` or `sandbox`: a read of one is never shown for the other.
    public required string Mode { get; set; }
    public DateTime ReadAtUtc { get; set; }
    /// When PagerDuty last answered every request of a read; null if it never has.
    public DateTime? LastGoodReadAtUtc { get; set; }
    /// Since when every read has failed; null while reads succeed.
    public DateTime? FailingSinceUtc { get; set; }
    public string? Error { get; set; }
    public string? Notice { get; set; }
    /// The services, open incidents and each incident's business services, as read (`StatusDashboardReads.Content`).
    public required string ContentJson { get; set; }
}

/// What one read of PagerDuty found.
public sealed record StatusDashboardContent(IReadOnlyList<PdBusinessServiceImpact> Services, IReadOnlyList<PdIncident> Incidents,
    IReadOnlyDictionary<string, IReadOnlyList<string>> IncidentImpacts);

/// A read of PagerDuty and how it went.
public sealed record StatusDashboardRead(PagerDutyMode Mode, StatusDashboardContent Content, DateTimeOffset ReadAt, string? Error, string? Notice,
    DateTimeOffset? LastGoodReadAt, DateTimeOffset? FailingSince);

/// Loads and stores the one `StatusDashboardReadEntity`.
public sealed class StatusDashboardReads(IDbContextFactory<PortalDbContext> dbFactory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// The stored read of `mode`, if any.
    public async Task<StatusDashboardRead?> LoadAsync(PagerDutyMode mode, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.StatusDashboardReads.AsNoTracking().FirstOrDefaultAsync(r => r.Id == StatusDashboardReadEntity.SingleId, cancellationToken);
        if (row is null || row.Mode != ModeName(mode)) return null;
        var content = JsonSerializer.Deserialize<StatusDashboardContent>(row.ContentJson, Json);
        if (content is null) return null;
        return new StatusDashboardRead(mode, content, Utc(row.ReadAtUtc), row.Error, row.Notice,
            row.LastGoodReadAtUtc is { } good ? Utc(good) : null, row.FailingSinceUtc is { } since ? Utc(since) : null);
    }

    public async Task SaveAsync(StatusDashboardRead read, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.StatusDashboardReads.FirstOrDefaultAsync(r => r.Id == StatusDashboardReadEntity.SingleId, cancellationToken);
        if (row is null) db.StatusDashboardReads.Add(row = new StatusDashboardReadEntity { Mode = "", ContentJson = "" });
        row.Mode = ModeName(read.Mode);
        row.ReadAtUtc = read.ReadAt.UtcDateTime;
        row.LastGoodReadAtUtc = read.LastGoodReadAt?.UtcDateTime;
        row.FailingSinceUtc = read.FailingSince?.UtcDateTime;
        row.Error = read.Error;
        row.Notice = read.Notice;
        row.ContentJson = JsonSerializer.Serialize(read.Content, Json);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string ModeName(PagerDutyMode mode) => mode == PagerDutyMode.Live ? "live" : "sandbox";

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}

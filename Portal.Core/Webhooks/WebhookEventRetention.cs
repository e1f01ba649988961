using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Logging;
using Portal.Core.Persistence;
using Portal.Core.Settings;

namespace Portal.Core.Webhooks;

/// Stored deliveries are kept as long as the log (the Logger tab's interval), and never less than 72 hours, so that
/// PagerDuty's redeliveries are still recognised; then they are deleted in chunks paced like the log's (`PacedPurge`).
public sealed class WebhookEventRetention(IDbContextFactory<PortalDbContext> dbFactory, SettingsStore settings, TimeProvider clock,
    ILogger<WebhookEventRetention> logger) : BackgroundService
{
    public static readonly TimeSpan MinimumKept = TimeSpan.FromHours(72);

    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var retentionDays = (await settings.GetAsync(LoggerSettings.Key, () => new LoggerSettings(), cancellationToken)).RetentionDays;
        var kept = TimeSpan.FromDays(Math.Max(1, retentionDays));
        var cutoff = clock.GetUtcNow().UtcDateTime - (kept > MinimumKept ? kept : MinimumKept);
        var result = await PacedPurge.RunAsync(dbFactory, "webhook delivery retention", async (db, size, ct) =>
        {
            // a delivery still waiting to be processed is never deleted, however old
            var chunk = await db.WebhookEvents.Where(w => w.ReceivedUtc < cutoff && w.State != WebhookEventStates.Pending)
                .OrderBy(w => w.ReceivedUtc).Select(w => w.Id).Take(size).ToListAsync(ct);
            return chunk.Count == 0 ? 0 : await db.WebhookEvents.Where(w => chunk.Contains(w.Id)).ExecuteDeleteAsync(ct);
        }, PurgePace.Default, cancellationToken);
        return result.Purged;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync("The webhook delivery retention purge", PurgeAsync, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), clock, logger, stoppingToken);
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Logging;
using Portal.Core.Persistence;

namespace Portal.Core.Rulesets;

/// "Dry-run again" from the log viewer: turns a logged record change (its rule entry keeps the change) or a logged
/// webhook (its entry names the event, whose delivery is stored) back into the dry-run event that caused it.
public sealed class DryRunReplay(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// Whether an entry can be replayed at all, judged from its details alone (the viewer shows the button then).
    public static bool CanReplay(LogEntryDto entry) =>
        entry.Details is { ValueKind: JsonValueKind.Object } details
        && (details.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.Object
            || entry.Category is LogCategories.Webhook or LogCategories.Rule && details.TryGetProperty("eventId", out var id) && id.ValueKind == JsonValueKind.String);

    /// The `event` of a dry-run request (contract section 3.5) rebuilt from log entry `logId`.
    public async Task<JsonObject> EventAsync(long logId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entry = await db.LogEntries.AsNoTracking().FirstOrDefaultAsync(e => e.Id == logId, cancellationToken)
            ?? throw new PortalNotFoundException($"There is no log entry {logId}; it may have been deleted by the retention.");
        var details = JsonObjects.ParseOrNull(entry.Details);
        if (details?["event"] is JsonObject recorded && recorded["kind"] is not null) return (JsonObject)recorded.DeepClone();
        if (entry.Category is LogCategories.Webhook or LogCategories.Rule && details?["eventId"]?.GetValueKind() == JsonValueKind.String)
        {
            var eventId = details["eventId"]!.GetValue<string>();
            var body = await db.WebhookEvents.AsNoTracking().Where(w => w.EventId == eventId).Select(w => w.Body).FirstOrDefaultAsync(cancellationToken)
                ?? throw new PortalNotFoundException($"The delivery of PagerDuty event {eventId} is no longer stored, so it cannot be dry-run again.");
            return new JsonObject { ["kind"] = "pagerduty", ["webhook"] = JsonNode.Parse(body) };
        }
        throw new PortalValidationException("logId",
            $"Log entry {logId} is not a webhook delivery or a rule decision on a record change; only those can be dry-run again.");
    }
}

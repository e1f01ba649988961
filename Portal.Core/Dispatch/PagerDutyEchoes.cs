using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Rules;
using Portal.Core.Rules.Actions;
using Portal.Core.Webhooks;

namespace Portal.Core.Dispatch;

/// Tells PagerDuty's echo of Portal's own action from a change made on PagerDuty's side, from the record: an incident
/// event echoes a planned action of the matching type on that incident that succeeded within the window, or whose call
/// is in flight (PagerDuty, and the sandbox, can send the event before Portal has stored the answer). Notes and status
/// updates must carry the same text. The matched action keeps the event's id, so one action matches one echo, and an
/// action that failed is never taken for one. The event processor skips the rules of the action's chain, so that the
/// rules that made a change are not set off again by its webhook, and a note Portal wrote does not come back as a comment.
/// Being rows, the expectations survive a restart and are the same for every process on the database.
public sealed class PagerDutyEchoes(TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// The chain of Portal's own action that this event echoes (marking the action as echoed, in the caller's
    /// transaction), or null when PagerDuty's side made the change.
    public async Task<IReadOnlyList<string>?> MatchAsync(PortalDbContext db, PagerDutyWebhookEvent e, CancellationToken cancellationToken)
    {
        var incidentId = e.Incident.IncidentId;
        var types = RuleActionCatalog.EchoedAs(e.Incident.EventType);
        if (incidentId is null || types.Count == 0) return null;
        var since = clock.GetUtcNow().UtcDateTime - Window;
        var candidates = db.PlannedActions.AsNoTracking().Where(a => types.Contains(a.ActionType) && a.EchoEventId == null
            && (a.State == PlannedActionStates.InFlight || (a.State == PlannedActionStates.Succeeded && a.CompletedUtc >= since)));
        // a new incident's id is stored once PagerDuty's answer is; until then its key names it
        candidates = e.IncidentKey is { } key && types.Contains(RuleActionTypes.CreateIncident)
            ? candidates.Where(a => a.IncidentId == incidentId || (a.IncidentId == null && a.IdempotencyKey == key))
            : candidates.Where(a => a.IncidentId == incidentId);
        var found = await candidates.OrderBy(a => a.CreatedUtc).Select(a => new { a.Id, a.PayloadJson, a.RuleChainJson })
            .Take(50).ToListAsync(cancellationToken);
        var match = found.FirstOrDefault(a => SameContent(a.PayloadJson, e));
        if (match is null) return null;
        await db.PlannedActions.Where(a => a.Id == match.Id && a.EchoEventId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.EchoEventId, e.EventId), cancellationToken);
        return JsonSerializer.Deserialize<List<string>>(match.RuleChainJson) ?? [];
    }

    private static bool SameContent(string payloadJson, PagerDutyWebhookEvent e) => Stored(payloadJson) switch
    {
        null => false,
        AddNoteAction note => e.Note is { } echoed && echoed.Content == note.Content,
        // PagerDuty cuts a long status update in its webhook and says so
        AddStatusUpdateAction { Message: { } message } => e.StatusUpdate is { } update
            && (update.Trimmed ? message.StartsWith(update.Message, StringComparison.Ordinal) : update.Message == message),
        AddStatusUpdateAction => false,
        _ => true,
    };

    /// A payload this version cannot read as an action never matched an echo (it was dead-lettered, never sent).
    private static RuleAction? Stored(string payloadJson)
    {
        try
        {
            return RuleActionJson.ReadStored(payloadJson);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Rules;
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
        var types = ActionTypesEchoedAs(e.Incident.EventType);
        if (incidentId is null || types.Count == 0) return null;
        var since = clock.GetUtcNow().UtcDateTime - Window;
        var candidates = db.PlannedActions.AsNoTracking().Where(a => types.Contains(a.ActionType) && a.EchoEventId == null
            && (a.State == PlannedActionStates.InFlight || (a.State == PlannedActionStates.Succeeded && a.CompletedUtc >= since)));
        // a new incident's id is stored once PagerDuty's answer is; until then its key names it
        candidates = e.IncidentKey is { } key && types.Contains(RuleActionTypes.CreateIncident)
            ? candidates.Where(a => a.IncidentId == incidentId || (a.IncidentId == null && a.IdempotencyKey == key))
            : candidates.Where(a => a.IncidentId == incidentId);
        var found = await candidates.OrderBy(a => a.CreatedUtc).Select(a => new { a.Id, a.ActionType, a.PayloadJson, a.RuleChainJson })
            .Take(50).ToListAsync(cancellationToken);
        var match = found.FirstOrDefault(a => SameContent(a.ActionType, a.PayloadJson, e));
        if (match is null) return null;
        await db.PlannedActions.Where(a => a.Id == match.Id && a.EchoEventId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.EchoEventId, e.EventId), cancellationToken);
        return JsonSerializer.Deserialize<List<string>>(match.RuleChainJson) ?? [];
    }

    private static bool SameContent(string actionType, string payloadJson, PagerDutyWebhookEvent e)
    {
        string? Text(string name) => JsonNode.Parse(payloadJson)?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        return actionType switch
        {
            RuleActionTypes.AddNote => e.Note is { } note && note.Content == Text("content"),
            // PagerDuty cuts a long status update in its webhook and says so
            RuleActionTypes.AddStatusUpdate => e.StatusUpdate is { } update && Text("message") is { } message
                && (update.Trimmed ? message.StartsWith(update.Message, StringComparison.Ordinal) : update.Message == message),
            _ => true,
        };
    }

    /// The event type (the contract's short form: `acknowledge`, `annotate`, ...) each action is echoed as.
    private static string? EventTypeOf(string actionType) => actionType switch
    {
        RuleActionTypes.CreateIncident => "trigger",
        RuleActionTypes.AcknowledgeIncident => "acknowledge",
        RuleActionTypes.ResolveIncident => "resolve",
        RuleActionTypes.SetIncidentPriority => "priorityUpdate",
        RuleActionTypes.ReassignIncident => "assign",
        RuleActionTypes.AddResponders => "responderAdded",
        RuleActionTypes.AddNote => "annotate",
        RuleActionTypes.AddStatusUpdate => "statusUpdate",
        _ => null,
    };

    private static List<string> ActionTypesEchoedAs(string? eventType) =>
        [.. RuleActionTypes.PagerDuty.Append(RuleActionTypes.AddStatusUpdate).Where(t => eventType is not null && EventTypeOf(t) == eventType)];
}

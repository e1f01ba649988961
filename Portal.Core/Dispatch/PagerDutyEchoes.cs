using System.Collections.Concurrent;

namespace Portal.Core.Dispatch;

/// What Portal expects PagerDuty to echo back after an action it sent: the incident, the event type and the rule
/// chain that caused it. The event processor takes the chain from here so that the rules that made a change are
/// not set off again by its webhook, and a note Portal wrote does not come back as a comment.
public sealed class PagerDutyEchoes(TimeProvider clock)
{
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, List<Expected>> _expected = new(StringComparer.Ordinal);

    private sealed record Expected(string EventType, IReadOnlyList<string> Chain, string? NoteContent, DateTimeOffset Until);

    /// `eventType` in the contract's short form (`acknowledge`, `annotate`, ...).
    public void Expect(string incidentId, string eventType, IReadOnlyList<string> chain, string? noteContent = null)
    {
        var list = _expected.GetOrAdd(incidentId, _ => []);
        lock (list) list.Add(new Expected(eventType, chain, noteContent, clock.GetUtcNow() + s_window));
    }

    /// The chain of Portal's own action that this event echoes, or null when PagerDuty's side made the change.
    public IReadOnlyList<string>? Match(string incidentId, string? eventType, string? noteContent = null)
    {
        if (eventType is null || !_expected.TryGetValue(incidentId, out var list)) return null;
        lock (list)
        {
            var now = clock.GetUtcNow();
            list.RemoveAll(e => e.Until < now);
            var match = list.FirstOrDefault(e => e.EventType == eventType && (e.NoteContent is null || e.NoteContent == noteContent));
            if (match is null) return null;
            list.Remove(match);
            return match.Chain;
        }
    }

    public static string? EventTypeOf(string actionType) => actionType switch
    {
        "createIncident" => "trigger",
        "acknowledgeIncident" => "acknowledge",
        "resolveIncident" => "resolve",
        "setIncidentPriority" => "priorityUpdate",
        "reassignIncident" => "assign",
        "addResponders" => "responderAdded",
        "addNote" => "annotate",
        "addStatusUpdate" => "statusUpdate",
        _ => null,
    };
}

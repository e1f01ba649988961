namespace Portal.Core.PagerDuty;

/// One line of an incident's timeline: a note, or a log entry (trigger, acknowledge, reassign, escalate, resolve…).
public sealed record TimelineItem(DateTime TimeUtc, string Kind, string Text, string? By)
{
    public const string Note = "note";
    public const string Log = "log";
}

/// The Command Console's timeline of a linked incident: its notes and its log entries from PagerDuty (or the
/// sandbox), newest first. PagerDuty also lists each note as an `annotate_log_entry`; the note itself is shown once.
public sealed class IncidentTimeline(PagerDutyConnection connection)
{
    public async Task<IReadOnlyList<TimelineItem>> GetAsync(string incidentId, CancellationToken cancellationToken = default)
    {
        var client = await connection.ClientAsync(cancellationToken);
        var notes = client.ListNotesAsync(incidentId, cancellationToken);
        var entries = client.ListLogEntriesAsync(incidentId, cancellationToken);
        return Merge(await notes, await entries);
    }

    public static IReadOnlyList<TimelineItem> Merge(IEnumerable<PdNote> notes, IEnumerable<PdLogEntry> entries) =>
    [
        .. notes.Select(n => new TimelineItem(n.CreatedUtc, TimelineItem.Note, n.Content, n.UserName))
            .Concat(entries.Where(e => e.Type != "annotate_log_entry").Select(e => new TimelineItem(e.CreatedUtc, TimelineItem.Log, e.Summary, e.AgentName)))
            .OrderByDescending(i => i.TimeUtc),
    ];
}

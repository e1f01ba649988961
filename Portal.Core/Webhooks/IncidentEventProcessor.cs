using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Dispatch;
using Portal.Core.Links;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Core.Settings;

namespace Portal.Core.Webhooks;

/// What happens when PagerDuty says an incident changed (a webhook, or the sandbox): the cached state of its links
/// is refreshed, the PagerDuty-triggered rules run (minus those whose own action PagerDuty is echoing), and a note
/// becomes a comment on the linked records when note sync is on, unless Portal wrote it.
public sealed partial class IncidentEventProcessor(
    IDbContextFactory<PortalDbContext> dbFactory,
    IncidentLinks links,
    PagerDutyEventRules rules,
    PagerDutyEchoes echoes,
    RecordStore records,
    ObjectCatalog catalog,
    SettingsStore settings,
    StatusDashboard.IncidentStatusUpdates statusUpdates,
    Logging.IntegrationLog log,
    ILogger<IncidentEventProcessor> logger)
{
    public event Action<PagerDutyWebhookEvent>? Processed;

    /// Processes one event in a transaction of its own (the sandbox's events, tests).
    public async Task ProcessAsync(PagerDutyWebhookEvent e, CancellationToken cancellationToken = default)
    {
        if (!e.IsIncidentEvent) return;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var announce = await ProcessAsync(db, e, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        announce();
    }

    /// Processes one event inside the caller's transaction, so that its effects commit together with whatever the
    /// caller stores about the event (the webhook processor marks it processed in the same commit). The caller saves
    /// and commits, then calls the returned action, which logs the outcome and tells live pages.
    public async Task<Action> ProcessAsync(PortalDbContext db, PagerDutyWebhookEvent e, CancellationToken cancellationToken)
    {
        if (!e.IsIncidentEvent) return static () => { };
        var incident = e.Incident;
        var incidentId = incident.IncidentId!;
        var relinked = await links.UpdateIncidentAsync(db, PagerDutyEventRules.State(incident) with { Priority = incident.Priority is "" ? null : incident.Priority },
            cancellationToken);

        var causedBy = await echoes.MatchAsync(db, e, cancellationToken);
        var (matched, changes) = await rules.RunAsync(db, incident, causedBy ?? [], cancellationToken);
        if (e.Note is { } note && causedBy is null) await ImportNoteAsync(db, incidentId, note, cancellationToken);
        var newStatusUpdate = e.StatusUpdate is { } update && await statusUpdates.AddReceivedAsync(db, incidentId, update, e.OccurredAt, cancellationToken);
        return () =>
        {
            if (newStatusUpdate) statusUpdates.Announce(incidentId);
            foreach (var recordId in relinked) links.Publish(recordId);
            foreach (var change in changes) records.Publish(change);
            LogProcessed(e.EventType, incidentId, matched.Count, causedBy is not null);
            log.Write(matched.Count > 0 ? Logging.LogLevel.Info : Logging.LogLevel.Debug, Logging.LogCategories.Rule,
                matched.Count == 0 ? $"No PagerDuty rule matched {e.EventType} on incident {incident.IncidentNumber?.ToString() ?? incidentId}"
                    : $"{matched.Count} PagerDuty rule(s) matched {e.EventType} on incident {incident.IncidentNumber?.ToString() ?? incidentId}: {string.Join(", ", matched.Select(m => m.Rule))}",
                Logging.Correlation.ForEvent(e.EventId), incidentId: incidentId,
                details: new { eventId = e.EventId, causedByPortal = causedBy, matched = matched.Select(m => new { m.Ruleset, m.Rule, m.Actions }) });
            Processed?.Invoke(e);
        };
    }

    private async Task ImportNoteAsync(PortalDbContext db, string incidentId, WebhookNote note, CancellationToken cancellationToken)
    {
        var integration = await settings.GetAsync(IntegrationSettings.Key, () => new IntegrationSettings(), cancellationToken);
        if (!integration.SyncCommentsToNotes) return;
        if (await db.RecordComments.AnyAsync(c => c.PagerDutyNoteId == note.Id, cancellationToken)) return;
        var linked = await db.IncidentLinks.AsNoTracking().Where(l => l.IncidentId == incidentId).Select(l => new { l.ObjectName, l.RecordId })
            .ToListAsync(cancellationToken);
        var types = await catalog.GetAsync(cancellationToken);
        foreach (var link in linked)
            await records.AddCommentAsync(db, types.Get(link.ObjectName), link.RecordId, note.Content, new ChangeActor("PagerDuty"), CommentSources.PagerDuty,
                note.Id, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Processed {EventType} for incident {IncidentId}: {Matched} rules ran (echo of Portal's own action: {IsEcho})")]
    private partial void LogProcessed(string eventType, string incidentId, int matched, bool isEcho);
}

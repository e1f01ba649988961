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
public sealed partial class IncidentEventProcessor
{
    private readonly IDbContextFactory<PortalDbContext> dbFactory;
    private readonly IncidentLinks links;
    private readonly PagerDutyEventRules rules;
    private readonly PagerDutyEchoes echoes;
    private readonly RecordStore records;
    private readonly ObjectCatalog catalog;
    private readonly SettingsStore settings;
    private readonly StatusDashboard.IncidentStatusUpdates statusUpdates;
    private readonly Logging.IntegrationLog log;
    private readonly Notifications.ChangeNotifier notifier;
    private readonly Notifications.ConfigGenerations generations;
    private readonly ILogger<IncidentEventProcessor> logger;

    public IncidentEventProcessor(IDbContextFactory<PortalDbContext> dbFactory, IncidentLinks links, PagerDutyEventRules rules, PagerDutyEchoes echoes,
        RecordStore records, ObjectCatalog catalog, SettingsStore settings, StatusDashboard.IncidentStatusUpdates statusUpdates,
        Logging.IntegrationLog log, Notifications.ChangeNotifier notifier, Notifications.ConfigGenerations generations, ILogger<IncidentEventProcessor> logger)
    {
        (this.dbFactory, this.links, this.rules, this.echoes, this.records, this.catalog, this.settings, this.statusUpdates, this.log, this.notifier,
            this.generations, this.logger) = (dbFactory, links, rules, echoes, records, catalog, settings, statusUpdates, log, notifier, generations, logger);
        // the outcome is logged once it is committed: an event whose effects were rolled back reports its failure instead; the
        // instance that processed it logs it, not the others that hear of it over the change bus
        notifier.SubscribeOwn<Notifications.IncidentEventProcessed>(LogOutcome);
    }

    /// Processes one event in a transaction of its own (the sandbox's events, tests).
    public async Task ProcessAsync(PagerDutyWebhookEvent e, CancellationToken cancellationToken = default)
    {
        if (!e.IsIncidentEvent) return;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await ProcessAsync(db, e, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// Processes one event inside the caller's transaction, so that its effects commit together with whatever the
    /// caller stores about the event (the webhook processor marks it processed in the same commit). The caller saves
    /// and commits; then the outcome is logged and live pages hear of it (`IncidentEventProcessed`). An event that a
    /// newer one of the same incident has `supersededBy` already brings only what it adds (a note, a status update):
    /// its incident state is older than what the links hold, and its rules would act on that older state.
    public async Task ProcessAsync(PortalDbContext db, PagerDutyWebhookEvent e, SupersedingEvent? supersededBy, CancellationToken cancellationToken)
    {
        if (!e.IsIncidentEvent) return;
        // rules, settings and object types saved by another instance are in force for this event
        await generations.EnsureCurrentAsync(cancellationToken);
        var incident = e.Incident;
        var incidentId = incident.IncidentId!;
        if (supersededBy is null)
            await links.UpdateIncidentAsync(db, PagerDutyEventRules.State(incident) with { Priority = incident.Priority is "" ? null : incident.Priority },
                cancellationToken);

        var causedBy = await echoes.MatchAsync(db, e, cancellationToken);
        var matched = supersededBy is null ? await rules.RunAsync(db, incident, causedBy ?? [], cancellationToken) : [];
        if (e.Note is { } note && causedBy is null) await ImportNoteAsync(db, incidentId, note, cancellationToken);
        if (e.StatusUpdate is { } update) await statusUpdates.AddReceivedAsync(db, incidentId, update, e.OccurredAt, cancellationToken);
        notifier.AfterCommit(db, new Notifications.IncidentEventProcessed(e, matched, causedBy) { SupersededBy = supersededBy });
    }

    public Task ProcessAsync(PortalDbContext db, PagerDutyWebhookEvent e, CancellationToken cancellationToken) => ProcessAsync(db, e, null, cancellationToken);

    private void LogOutcome(Notifications.IncidentEventProcessed processed)
    {
        var (e, matched, causedBy) = processed;
        var incidentId = e.Incident.IncidentId!;
        if (processed.SupersededBy is { } newer)
        {
            LogSuperseded(e.EventType, incidentId, newer.EventType);
            log.Write(Logging.LogLevel.Warning, Logging.LogCategories.Webhook,
                $"{e.EventType} on incident {e.Incident.IncidentNumber?.ToString() ?? incidentId} (occurred {e.OccurredAt:yyyy-MM-dd HH:mm:ss.fff} UTC) came after "
                + $"{newer.EventType} (occurred {newer.OccurredUtc:yyyy-MM-dd HH:mm:ss.fff} UTC) was processed: its older incident state was not applied and no rule ran"
                + (e.Note is not null || e.StatusUpdate is not null ? "; its note or status update was kept" : ""),
                Logging.Correlation.ForEvent(e.EventId), incidentId: incidentId, details: new { eventId = e.EventId, supersededBy = newer.EventId });
            return;
        }
        LogProcessed(e.EventType, incidentId, matched.Count, causedBy is not null);
        log.Write(matched.Count > 0 ? Logging.LogLevel.Info : Logging.LogLevel.Debug, Logging.LogCategories.Rule,
            matched.Count == 0 ? $"No PagerDuty rule matched {e.EventType} on incident {e.Incident.IncidentNumber?.ToString() ?? incidentId}"
                : $"{matched.Count} PagerDuty rule(s) matched {e.EventType} on incident {e.Incident.IncidentNumber?.ToString() ?? incidentId}: {string.Join(", ", matched.Select(m => m.Rule))}",
            Logging.Correlation.ForEvent(e.EventId), incidentId: incidentId,
            details: new { eventId = e.EventId, causedByPortal = causedBy, matched = matched.Select(m => new { m.Ruleset, m.Rule, m.Actions }) });
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{EventType} for incident {IncidentId} is older than {NewerType}, processed already: not applied")]
    private partial void LogSuperseded(string eventType, string incidentId, string newerType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Processed {EventType} for incident {IncidentId}: {Matched} rules ran (echo of Portal's own action: {IsEcho})")]
    private partial void LogProcessed(string eventType, string incidentId, int matched, bool isEcho);
}

/// The newer event of the same incident, processed already, that makes an event late (`WebhookEventStates.Superseded`).
public sealed record SupersedingEvent(string EventId, string EventType, DateTime? OccurredUtc);

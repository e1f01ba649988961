using Portal.Core.Dispatch;
using Portal.Core.Webhooks;

namespace Portal.Core.Notifications;

/// Something Portal stored (or, for the few marked so, learnt) that a loop or a live page may want to know about.
/// Changes reach subscribers through `ChangeNotifier`, after the commit that stored them and never for a rollback.
public interface IChange;

/// The links of a record to incidents were added, refreshed or removed (from `IncidentLinkEntity` rows).
public sealed record RecordLinksChanged(string RecordId) : IChange;

/// A rules version was saved and is in force (from `RulesetVersionEntity` rows).
public sealed record RulesetSaved(long Version) : IChange;

/// Planned actions were queued or changed state: the dispatcher has work (from `PlannedActionEntity` rows).
public sealed record PlannedActionsStored : IChange;

/// An action reached its end: succeeded or dead-lettered. `Action` is the row as stored.
public sealed record ActionFinished(PlannedActionEntity Action) : IChange;

/// An action entered or left the dead letters (dead-lettered, retried, discarded).
public sealed record DeadLettersChanged : IChange;

/// A setting was saved (from `SettingEntity` rows); `Key` names it.
public sealed record SettingChanged(string Key) : IChange;

/// Object types or their fields changed, and the catalog's snapshot holds the new ones.
public sealed record ObjectCatalogChanged : IChange;

/// A PagerDuty incident event was processed: its effects are committed. `Matched` names the rules it set off;
/// `CausedByPortal` the actions of Portal's own it echoes, if any; `SupersededBy` the newer event of the incident that
/// was processed before it (its state was then not applied, and no rule ran).
public sealed record IncidentEventProcessed(PagerDutyWebhookEvent Event, IReadOnlyList<Rules.MatchedRule> Matched, IReadOnlyList<string>? CausedByPortal)
    : IChange
{
    public Webhooks.SupersedingEvent? SupersededBy { get; init; }
}

/// A `pagey.ping` arrived (learnt, not stored).
public sealed record WebhookPingReceived : IChange;

/// What the Status Dashboard shows may have changed: pages read it again.
public sealed record BusinessImpactsChanged : IChange;

/// An incident's status update was stored for the first time, or became Portal's own (from `IncidentStatusUpdateEntity` rows).
public sealed record StatusUpdateAdded(string IncidentId) : IChange;

/// Log entries were stored: a flush of the log queue, or a change's own audit entries.
public sealed record LogEntriesStored : IChange;

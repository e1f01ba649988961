using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Portal.Core.Dispatch;
using Portal.Core.Links;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Core.Rules.Actions;
using Portal.Core.Settings;
using Portal.Core.Telemetry;

namespace Portal.Core.Rulesets;

/// Feeds record changes and PagerDuty events to the rules in force and carries out what they decide: PagerDuty
/// actions become planned actions in the same transaction as the change; record actions go through the record
/// store as changes of their own, marked as made by the rule. A chain of rule-made changes stops at
/// `Rules:MaxChainDepth` (default 3), and a rule never sets itself off again through its own consequences.
/// Rules run inside the change's write transaction (so that what they read is what is written), holding SQLite's
/// write lock: their `matches` conditions get `RuleBudget.PerEvent`, past which the rest read as not matching.
public sealed partial class RuleRunner(
    RulesetStore rulesets,
    SettingsStore settings,
    IConfiguration configuration,
    PortalMetrics metrics,
    TimeProvider clock,
    Logging.IntegrationLog log,
    Notifications.ConfigGenerations generations,
    ILogger<RuleRunner> logger) : IRecordChangeHandler
{
    private readonly int _maxDepth = Math.Max(1, configuration.GetValue("Rules:MaxChainDepth", 3));

    public static string RuleId(string ruleset, string rule) => $"{ruleset}/{rule}";

    public static string IncidentKey(string objectName, string recordId) => $"portal:{objectName}:{recordId}";

    public async Task OnRecordChangedAsync(RecordChange change, PortalDbContext db, CancellationToken cancellationToken)
    {
        // rules, settings and object types saved by another instance are in force for this change (once per change, not per rule)
        await generations.EnsureCurrentAsync(cancellationToken);
        if (!await ShouldRunAsync(change, cancellationToken)) return;
        var chain = change.Actor.RuleChain ?? [];
        if (chain.Count >= _maxDepth)
        {
            LogLoopStopped(change.Object, change.RecordId, string.Join(" → ", chain), _maxDepth);
            log.Write(Logging.LogLevel.Warning, Logging.LogCategories.Rule,
                $"Loop guard: stopped rules on {change.Name} after {string.Join(" → ", chain)} ({_maxDepth} steps)", recordId: change.RecordId);
            return;
        }

        var links = await db.IncidentLinks.AsNoTracking().Where(l => l.RecordId == change.RecordId)
            .OrderByDescending(l => l.LinkedUtc).ToListAsync(cancellationToken);
        var e = await RecordEventAsync(change.Type, change.RecordId, change.IsInsert, change.Old, change.New, links, cancellationToken);
        var snapshot = await rulesets.SnapshotAsync(cancellationToken);
        var correlation = Guid.CreateVersion7();
        var createPlanned = change.IsInsert ? false : await db.PlannedActions.AnyAsync(a =>
            a.RecordId == change.RecordId && a.ActionType == RuleActionTypes.CreateIncident && a.State == PlannedActionStates.Pending, cancellationToken);

        // the change's span: the actions it plans carry the same correlation id, and so do their dispatch spans
        using var activity = PortalActivities.Start("rules.evaluate", correlation);
        activity?.SetTag("portal.rules.trigger", PortalMetrics.RecordTrigger);
        activity?.SetTag("portal.record.object", change.Object);
        activity?.SetTag("portal.record.id", change.RecordId);
        activity?.SetTag("portal.rules.version", snapshot.Version);
        var budget = RuleBudget.ForEvent(cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var matches = snapshot.EvaluateMatches(e, budget);
        metrics.RulesEvaluated(PortalMetrics.RecordTrigger, started);
        activity?.SetTag("portal.rules.matched", matches.Count);
        ReportSpentBudget(budget, snapshot.Version, change.Name, correlation, change.RecordId, links.FirstOrDefault()?.IncidentId);
        var replay = matches.Count > 0 || log.IsEnabled(Logging.LogLevel.Debug) ? ReplayEvent(change) : null;
        if (matches.Count == 0 && replay is not null)
            log.Write(Logging.LogLevel.Debug, Logging.LogCategories.Rule, $"No rule matched {change.Name}", correlation,
                change.RecordId, links.FirstOrDefault()?.IncidentId, new { version = snapshot.Version, change.IsInsert, @event = replay });
        foreach (var match in matches)
        {
            var ruleId = RuleId(match.Ruleset, match.Rule);
            if (chain.Contains(ruleId))
            {
                LogRuleSkippedInChain(ruleId, change.RecordId);
                continue;
            }
            if (match.Shadow)
            {
                LogShadow(match, change.Name, snapshot.Version, correlation, change.RecordId, links.FirstOrDefault()?.IncidentId);
                continue;
            }
            LogRuleMatched(ruleId, change.Object, change.RecordId, snapshot.Version);
            log.Write(Logging.LogLevel.Info, Logging.LogCategories.Rule, $"Rule {match.Rule} matched {change.Name}", correlation,
                change.RecordId, links.FirstOrDefault()?.IncidentId, new { match.Ruleset, match.Rule, version = snapshot.Version, match.Actions, change.IsInsert, @event = replay });
            var ruleChain = JsonSerializer.Serialize(chain.Append(ruleId));
            foreach (var action in match.Actions)
            {
                // the planned action's payload is the typed action, as the dispatcher reads it
                var typed = RuleActionJson.Read(action);
                var type = typed.Type;
                var payload = RuleActionJson.Serialize(typed);
                if (typed is CreateIncidentAction)
                {
                    if (CreateIncidentNotTaken(change.Name, links.FirstOrDefault()?.IncidentId, createPlanned) is { } reason)
                    {
                        // never dropped silently: the log says which action was not taken and why
                        log.Write(Logging.LogLevel.Info, Logging.LogCategories.Rule,
                            $"Rule {match.Rule}: createIncident not taken: {reason}", correlation, change.RecordId, links.FirstOrDefault()?.IncidentId,
                            new { match.Ruleset, match.Rule, version = snapshot.Version, action, reason });
                        continue;
                    }
                    createPlanned = true;
                    db.PlannedActions.Add(Plan(payload, type, change, null, match, correlation, ruleChain, IncidentKey(change.Object, change.RecordId)));
                }
                else
                {
                    foreach (var link in links)
                        db.PlannedActions.Add(Plan(payload, type, change, link.IncidentId, match, correlation, ruleChain, null));
                }
            }
        }
    }

    /// Why a matched `createIncident` is not taken, or null when it is: the record (`subject`) has a linked incident, or
    /// another rule already creates one in this change. The dry-run says the same.
    public static string? CreateIncidentNotTaken(string subject, string? linkedIncidentId, bool anotherCreates) =>
        linkedIncidentId is not null ? $"{subject} already has a linked incident ({linkedIncidentId})"
        : anotherCreates ? $"another rule already creates the incident for {subject} in this change"
        : null;

    /// A shadow rule matched (contract section 3.1): what it would have done, filled as a live rule's actions are, and
    /// nothing planned or changed.
    public void LogShadow(MatchedRule match, string subject, long version, Guid? correlation, string? recordId, string? incidentId)
    {
        var would = match.Actions.Count == 0 ? "done nothing (it has no actions)"
            : string.Join("; ", match.Actions.Select(a => RuleActionCatalog.LabelOf(a["type"]?.GetValue<string>() ?? "", match.Object)));
        log.Write(Logging.LogLevel.Info, Logging.LogCategories.Rule, $"Shadow rule {match.Rule} matched {subject} and would have: {would}", correlation,
            recordId, incidentId, new { match.Ruleset, match.Rule, version, mode = RuleMode.Shadow, wouldHave = match.Actions });
    }

    /// The change as a dry-run event (contract section 3.5), kept in the log entry so that "Dry-run again" can replay it.
    public static JsonObject ReplayEvent(RecordChange change) => new()
    {
        ["kind"] = "record", ["object"] = change.Object, ["recordId"] = change.RecordId, ["isInsert"] = change.IsInsert,
        ["old"] = change.Old.DeepClone(), ["new"] = change.New.DeepClone(),
    };

    /// The record event as the rules read it: old and new values, the record's linked incident for `pd.*`, and
    /// whether it is business hours now.
    public async Task<RuleEvent> RecordEventAsync(ObjectTypeInfo type, string recordId, bool isInsert, JsonObject old, JsonObject @new,
        IReadOnlyList<IncidentLinkEntity> links, CancellationToken cancellationToken)
    {
        var linked = links.FirstOrDefault(l => l.Status != "resolved") ?? links.FirstOrDefault();
        return RuleEvent.ForRecord(type.Name, isInsert, RecordValues.ToRuleValues(type, old), RecordValues.ToRuleValues(type, @new), recordId,
            linked is null ? null : Facts(linked), await IsBusinessHoursAsync(cancellationToken));
    }

    /// A warning when an event's `matches` conditions spent their budget and some of them were not run.
    public void ReportSpentBudget(RuleBudget budget, long version, string subject, Guid? correlation, string? recordId, string? incidentId)
    {
        if (budget.Skipped == 0 || budget.SpentAt is not var (ruleset, rule)) return;
        var limit = budget.Limit.TotalMilliseconds;
        LogBudgetSpent(RuleId(ruleset, rule), subject, limit, budget.Skipped);
        log.Write(Logging.LogLevel.Warning, Logging.LogCategories.Rule,
            $"Rules on {subject}: the 'matches' conditions spent their {limit:0} ms budget at rule {rule}; {budget.Skipped} more were read as not matching",
            correlation, recordId, incidentId,
            new { ruleset, rule, version, limitMs = limit, spentMs = budget.Spent.TotalMilliseconds, ran = budget.Ran, timedOut = budget.TimedOut, skipped = budget.Skipped });
    }

    public async Task<bool> IsBusinessHoursAsync(CancellationToken cancellationToken)
    {
        var hours = await settings.GetAsync(BusinessHoursSettings.Key, () => new BusinessHoursSettings(), cancellationToken);
        try
        {
            return hours.ToCalendar().IsOpen(clock.GetUtcNow());
        }
        catch (PortalValidationException e)
        {
            // stored hours this machine cannot read (a time zone it lacks): the rules go on with the default hours
            LogBusinessHoursUnusable(e, e.Message);
            return BusinessHours.Default.IsOpen(clock.GetUtcNow());
        }
    }

    public static PagerDutyFacts Facts(IncidentLinkEntity link) => new()
    {
        IncidentId = link.IncidentId,
        IncidentNumber = link.Number,
        IncidentUrl = link.HtmlUrl,
        IncidentTitle = link.Title,
        IncidentStatus = link.Status,
        ServiceId = link.ServiceId,
        ServiceName = link.ServiceName,
        Priority = link.Priority,
        Urgency = link.Urgency,
    };

    private async Task<bool> ShouldRunAsync(RecordChange change, CancellationToken cancellationToken)
    {
        if (!change.Type.RunRules) return false;
        if (!change.IsInsert) return true;
        var integration = await settings.GetAsync(IntegrationSettings.Key, () => new IntegrationSettings(), cancellationToken);
        return change.Object switch
        {
            "Case" => integration.RunRulesOnCaseCreation,
            "Incident" => integration.RunRulesOnIncidentCreation,
            _ => true,
        };
    }

    private PlannedActionEntity Plan(string payload, string type, RecordChange change, string? incidentId, MatchedRule match,
        Guid correlation, string ruleChain, string? idempotencyKey)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return new PlannedActionEntity
        {
            Id = Guid.CreateVersion7(),
            CreatedUtc = now,
            NextAttemptUtc = now,
            ActionType = type,
            PayloadJson = payload,
            ObjectName = change.Object,
            RecordId = change.RecordId,
            IncidentId = incidentId,
            Ruleset = match.Ruleset,
            Rule = match.Rule,
            RequestedBy = "rule",
            CorrelationId = correlation,
            RuleChainJson = ruleChain,
            IdempotencyKey = idempotencyKey,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The saved business hours are not usable ({Problem}); the rules use the default hours")]
    private partial void LogBusinessHoursUnusable(Exception error, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loop guard: stopped rules on {Object} {RecordId} after the chain {Chain} reached {MaxDepth} steps")]
    private partial void LogLoopStopped(string @object, string recordId, string chain, int maxDepth);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule {Rule} is already in the chain that changed {RecordId}; not run again")]
    private partial void LogRuleSkippedInChain(string rule, string recordId);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Rule {Rule} on {Subject}: the 'matches' conditions spent their {LimitMs} ms budget; {Skipped} more were read as not matching")]
    private partial void LogBudgetSpent(string rule, string subject, double limitMs, int skipped);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule {Rule} matched {Object} {RecordId} (rules version {Version})")]
    private partial void LogRuleMatched(string rule, string @object, string recordId, long version);
}

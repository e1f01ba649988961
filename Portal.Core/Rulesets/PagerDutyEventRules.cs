using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Links;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Core.Rules.Actions;
using Portal.Core.Telemetry;

namespace Portal.Core.Rulesets;

/// Runs the `pagerDutyIncidentCreateOrUpdate` rules for one PagerDuty incident event and carries out their record
/// actions (`setField` on the linked records of the rule's object, `createRecord` when none is linked), all in
/// one transaction. `causedBy` is the rule chain of Portal's own action that PagerDuty is echoing, if any: those
/// rules are not set off again.
public sealed partial class PagerDutyEventRules(
    IDbContextFactory<PortalDbContext> dbFactory,
    RulesetStore rulesets,
    ObjectCatalog catalog,
    RecordStore records,
    IncidentLinks links,
    RuleRunner runner,
    PortalMetrics metrics,
    ILogger<PagerDutyEventRules> logger)
{
    public async Task<IReadOnlyList<MatchedRule>> RunAsync(PagerDutyFacts incident, IReadOnlyList<string> causedBy, CancellationToken cancellationToken = default)
    {
        if (incident.IncidentId is null) return [];
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var matches = await RunAsync(db, incident, causedBy, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return matches;
    }

    /// The same inside the caller's transaction: the caller saves and commits (live pages learn of the changes then).
    public async Task<IReadOnlyList<MatchedRule>> RunAsync(
        PortalDbContext db, PagerDutyFacts incident, IReadOnlyList<string> causedBy, CancellationToken cancellationToken)
    {
        if (incident.IncidentId is null) return [];
        var snapshot = await rulesets.SnapshotAsync(cancellationToken);
        var types = await catalog.GetAsync(cancellationToken);
        var linked = await LinkedRecordsAsync(db, incident.IncidentId, cancellationToken);
        var e = RuleEvent.ForPagerDuty(incident, linked.ToDictionary(p => p.Key, p => p.Value.First().Values),
            await runner.IsBusinessHoursAsync(cancellationToken));

        // a child of the event's span, with its correlation id
        using var activity = PortalActivities.Start("rules.evaluate");
        activity?.SetTag("portal.rules.trigger", PortalMetrics.PagerDutyTrigger);
        activity?.SetTag("pagerduty.incident_id", incident.IncidentId);
        activity?.SetTag("portal.rules.version", snapshot.Version);
        var budget = RuleBudget.ForEvent(cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var matches = snapshot.EvaluateMatches(e, budget).Where(m => !causedBy.Contains(RuleRunner.RuleId(m.Ruleset, m.Rule))).ToList();
        metrics.RulesEvaluated(PortalMetrics.PagerDutyTrigger, started);
        activity?.SetTag("portal.rules.matched", matches.Count);
        runner.ReportSpentBudget(budget, snapshot.Version, $"PagerDuty incident {incident.IncidentId} ({incident.EventType})",
            correlation: null, recordId: null, incident.IncidentId);
        foreach (var match in matches)
        {
            if (match.Shadow)
            {
                runner.LogShadow(match, $"PagerDuty incident {incident.IncidentId} ({incident.EventType})", snapshot.Version, null, null, incident.IncidentId);
                continue;
            }
            var type = types.Find(match.Object);
            if (type is null) continue;
            var actor = new ChangeActor($"rule {match.Rule}", FromRule: true, [.. causedBy, RuleRunner.RuleId(match.Ruleset, match.Rule)]);
            LogMatched(RuleRunner.RuleId(match.Ruleset, match.Rule), incident.IncidentId, incident.EventType);
            foreach (var action in match.Actions)
            {
                switch (RuleActionJson.Read(action))
                {
                    case SetFieldAction set:
                        var values = Validate(type, new Dictionary<string, JsonElement?> { [set.Field ?? ""] = set.Value });
                        foreach (var record in linked.GetValueOrDefault(type.Name) ?? [])
                        {
                            await records.UpdateAsync(db, type, record.Id, values, actor, cancellationToken);
                        }
                        break;
                    case CreateRecordAction create when !linked.ContainsKey(type.Name):
                        var fields = Validate(type, create.Fields ?? new Dictionary<string, JsonElement>());
                        // linked before the new record's own rules run: it has its incident already
                        var (created, _) = await records.CreateAsync(db, type, fields, actor, cancellationToken,
                            beforeRules: id => links.LinkAsync(db, id, State(incident), actor.Name, cancellationToken));
                        linked[type.Name] = [(created.Id, RecordValues.ToRuleValues(type, created.Fields))];
                        break;
                }
            }
        }
        return matches;
    }

    public static IncidentState State(PagerDutyFacts incident) => new(incident.IncidentId!, incident.IncidentNumber, incident.IncidentTitle,
        incident.IncidentStatus, incident.Urgency, incident.Priority, incident.ServiceId, incident.ServiceName, incident.IncidentUrl,
        incident.Assignees, incident.CreatedUtc);

    /// Object name → the records of that object linked to the incident, oldest link first, with their rule values.
    public async Task<Dictionary<string, List<(string Id, IReadOnlyDictionary<string, object?> Values)>>> LinkedRecordsAsync(
        PortalDbContext db, string incidentId, CancellationToken cancellationToken)
    {
        var types = await catalog.GetAsync(cancellationToken);
        var rows = await (from l in db.IncidentLinks.AsNoTracking()
                          join r in db.Records.AsNoTracking() on l.RecordId equals r.Id
                          where l.IncidentId == incidentId
                          orderby l.LinkedUtc
                          select new { r.Id, r.ObjectName, r.FieldsJson }).ToListAsync(cancellationToken);
        var result = new Dictionary<string, List<(string, IReadOnlyDictionary<string, object?>)>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (types.Find(row.ObjectName) is not { } type) continue;
            var fields = JsonNode.Parse(row.FieldsJson) as JsonObject ?? [];
            if (!result.TryGetValue(row.ObjectName, out var list)) result[row.ObjectName] = list = [];
            list.Add((row.Id, RecordValues.ToRuleValues(type, fields)));
        }
        return result;
    }

    /// A rule's field values (by name), checked against the object type as a record write's are.
    private static Dictionary<string, JsonNode?> Validate<TValue>(ObjectTypeInfo type, IReadOnlyDictionary<string, TValue> fields) =>
        RecordValues.Validate(type, JsonSerializer.SerializeToElement(fields));

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule {Rule} matched PagerDuty incident {IncidentId} ({EventType})")]
    private partial void LogMatched(string rule, string incidentId, string? eventType);
}

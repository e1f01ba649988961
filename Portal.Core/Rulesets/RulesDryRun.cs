using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Core.Webhooks;

namespace Portal.Core.Rulesets;

/// One condition's outcome; a group (contract section 3.3) has its `when` and its own conditions' outcomes.
public sealed record DryRunCondition(string Field, string Operator, string? Expected, string? Actual, bool Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Previous = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? When { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<DryRunCondition>? Conditions { get; init; }

    public static DryRunCondition From(ConditionTrace c) => new(c.Field, c.Operator, c.Expected, c.Actual, c.Result, c.Previous, c.Error)
    {
        When = c.When, Conditions = c.Conditions?.Select(From).ToList(),
    };
}

public sealed record DryRunMatch(string Ruleset, string Rule, bool Matched, IReadOnlyList<DryRunCondition> Conditions, IReadOnlyList<JsonObject> Actions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SkippedReason = null)
{
    /// A shadow rule (contract section 3.1): its actions would only be logged.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Shadow { get; init; }

    /// Actions of the match that live rules would not take, and why (a second `createIncident`, a record with an incident).
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<DryRunNotTaken>? NotTaken { get; init; }
}

public sealed record DryRunNotTaken(string Type, string Reason);

public sealed record DryRunResult(IReadOnlyList<DryRunMatch> Matches, long Version);

/// `POST /api/rulesets/dry-run`: which rules match an event, why, and what they would do. Nothing is executed.
/// Any role may ask, so the work is bounded: the caller's cancellation stops compiling and evaluating, and the
/// `matches` conditions get the budget a live event gets; an event whose trace the budget cut short is refused,
/// naming the rule where it ran out.
public sealed class RulesDryRun(
    IDbContextFactory<PortalDbContext> dbFactory, RulesetStore rulesets, ObjectCatalog catalog, RuleRunner runner, PagerDutyEventRules pagerDutyRules)
{
    private async Task<RulesSnapshot> CompileDraftAsync(string json, CancellationToken cancellationToken)
    {
        var (draft, schema) = await rulesets.ValidateForCompileAsync(json, cancellationToken);
        return RulesSnapshot.CompileValidated(draft, schema, 0, cancellationToken);
    }

    public async Task<DryRunResult> RunAsync(JsonElement request, CancellationToken cancellationToken = default)
    {
        if (request.ValueKind != JsonValueKind.Object || !request.TryGetProperty("event", out var e) || e.ValueKind != JsonValueKind.Object)
            throw new PortalValidationException("event", "The body needs 'event': a record event or a PagerDuty event (contract section 3.5).");

        var types = await catalog.GetAsync(cancellationToken);
        var inline = request.TryGetProperty("document", out var document) && document.ValueKind == JsonValueKind.Object;
        var snapshot = inline
            ? await CompileDraftAsync(document.GetRawText(), cancellationToken)
            : await rulesets.SnapshotAsync(cancellationToken);

        var ruleEvent = Text(e, "kind") switch
        {
            "record" => await RecordEventAsync(e, types, cancellationToken),
            "pagerduty" => await PagerDutyEventAsync(e, cancellationToken),
            var kind => throw new PortalValidationException("event.kind", $"'event.kind' is '{kind}'; use 'record' or 'pagerduty'."),
        };

        var budget = RuleBudget.ForEvent(cancellationToken);
        var result = snapshot.Evaluate(ruleEvent, budget);
        if (budget.Skipped > 0 && budget.SpentAt is var (ruleset, rule))
            throw new PortalValidationException(inline ? "document" : "event",
                $"Ruleset '{ruleset}', rule '{rule}': the 'matches' conditions spent this event's {budget.Limit.TotalMilliseconds:0} ms budget there " +
                $"({budget.Ran} run, {budget.TimedOut} of them past the {RulePattern.MatchTimeout.TotalMilliseconds:0} ms timeout; {budget.Skipped} not run), " +
                "and live rules would read the ones not run as not matching. Use simpler patterns, fewer of them, or shorter values.");
        var shadow = snapshot.Document.Rulesets.SelectMany(s => s.Rules.Where(r => r.IsShadow).Select(r => (s.Name, r.Name))).ToHashSet();
        var creates = false;
        var matches = new List<DryRunMatch>();
        foreach (var t in result.Matches)
        {
            var isShadow = shadow.Contains((t.Ruleset, t.Rule));
            matches.Add(new DryRunMatch(t.Ruleset, t.Rule, t.Matched, t.Conditions.Select(DryRunCondition.From).ToList(), t.Actions, t.SkippedReason)
            {
                Shadow = isShadow,
                NotTaken = t.Matched && !isShadow ? NotTaken(t.Actions, ruleEvent, ref creates) : null,
            });
        }
        return new DryRunResult(matches, snapshot.Version);
    }

    /// What `RuleRunner` leaves out of a record change's matches, said as it logs it: `createIncident` when the record
    /// has a linked incident, or when an earlier rule of the change already creates one.
    private static IReadOnlyList<DryRunNotTaken>? NotTaken(IReadOnlyList<JsonObject> actions, RuleEvent e, ref bool creates)
    {
        if (e.Kind != RuleEventKind.Record) return null;
        List<DryRunNotTaken>? notTaken = null;
        foreach (var _ in actions.Where(a => a["type"]?.GetValue<string>() == RuleActionTypes.CreateIncident))
        {
            var reason = RuleRunner.CreateIncidentNotTaken("the record", e.PagerDuty?.IncidentId, creates);
            creates = true;
            if (reason is not null) (notTaken ??= []).Add(new DryRunNotTaken(RuleActionTypes.CreateIncident, reason));
        }
        return notTaken;
    }

    private async Task<RuleEvent> RecordEventAsync(JsonElement e, CatalogSnapshot types, CancellationToken cancellationToken)
    {
        var objectName = Text(e, "object") ?? throw new PortalValidationException("event.object", "A record event needs 'object'.");
        var type = types.Get(objectName);
        var isInsert = e.TryGetProperty("isInsert", out var insert) && insert.ValueKind == JsonValueKind.True;
        var old = Fields(type, e, "old");
        var @new = Fields(type, e, "new");
        var recordId = Text(e, "recordId");
        var links = new List<Links.IncidentLinkEntity>();
        if (recordId is not null)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            links = await db.IncidentLinks.AsNoTracking().Where(l => l.RecordId == recordId).OrderByDescending(l => l.LinkedUtc).ToListAsync(cancellationToken);
        }
        return await runner.RecordEventAsync(type, recordId ?? "", isInsert, old, @new, links, cancellationToken);
    }

    private async Task<RuleEvent> PagerDutyEventAsync(JsonElement e, CancellationToken cancellationToken)
    {
        if (!e.TryGetProperty("webhook", out var webhook) || PagerDutyWebhookEvent.Parse(webhook) is not { } parsed)
            throw new PortalValidationException("event.webhook", "A PagerDuty event needs 'webhook': a Webhooks v3 body ({\"event\":{...}}).");
        var linked = new Dictionary<string, IReadOnlyDictionary<string, object?>>();
        if (parsed.Incident.IncidentId is { } incidentId)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            foreach (var (name, records) in await pagerDutyRules.LinkedRecordsAsync(db, incidentId, cancellationToken))
                linked[name] = records[0].Values;
        }
        return RuleEvent.ForPagerDuty(parsed.Incident, linked, await runner.IsBusinessHoursAsync(cancellationToken));
    }

    private static JsonObject Fields(ObjectTypeInfo type, JsonElement e, string property)
    {
        if (!e.TryGetProperty(property, out var fields) || fields.ValueKind == JsonValueKind.Null) return [];
        try
        {
            var values = RecordValues.Validate(type, fields);
            var result = new JsonObject();
            foreach (var (name, value) in values) if (value is not null) result[name] = value;
            return result;
        }
        catch (PortalValidationException error)
        {
            throw new PortalValidationException(error.Errors.ToDictionary(p => $"event.{property}.{p.Key}", p => p.Value));
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

using System.Text.Json.Nodes;

namespace Portal.Core.Rules;

public sealed record ConditionTrace(string Field, string Operator, string? Expected, string? Actual, bool Result)
{
    // The old value, for changed, changedTo and changedFrom.
    public string? Previous { get; init; }

    public string? Error { get; init; }

    /// A group's `all` or `any`, and the traces of its conditions (then `Field` and `Operator` are empty).
    public string? When { get; init; }

    public IReadOnlyList<ConditionTrace>? Conditions { get; init; }

    public static ConditionTrace OfGroup(string when, IReadOnlyList<ConditionTrace> conditions, bool result) =>
        new("", "", null, null, result) { When = when, Conditions = conditions };
}

public sealed record RuleTrace(
    string Ruleset,
    string Rule,
    bool Matched,
    string? SkippedReason,
    IReadOnlyList<ConditionTrace> Conditions,
    IReadOnlyList<JsonObject> Actions);

public sealed record EvaluationResult(long Version, IReadOnlyList<RuleTrace> Matches)
{
    public IEnumerable<RuleTrace> Matched => Matches.Where(trace => trace.Matched);
}

/// A rule that matched, with its filled actions; a `Shadow` rule's are logged as what it would have done, never carried out.
public sealed record MatchedRule(string Ruleset, string Rule, string Object, IReadOnlyList<JsonObject> Actions, bool Shadow = false);

public sealed class RulesDocumentInvalidException(IReadOnlyList<string> errors)
    : Exception("The rules document is not valid: " + string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

internal static class RuleOutcome
{
    public const string RegexTimedOut = "The regular expression took longer than 100 ms and was treated as not matching.";

    public static string BudgetSpent(TimeSpan limit) =>
        $"Not run: this event's 'matches' conditions had spent their {limit.TotalMilliseconds:0} ms budget, so it was treated as not matching.";

    public static bool IsNew(RuleEvent e) =>
        e.Kind == RuleEventKind.Record ? e.IsInsert : e.PagerDuty?.EventType == "trigger";

    public static string NotNewReason(RuleEvent e) =>
        e.Kind == RuleEventKind.Record
            ? "executeFor is newOnly and the record was not just created."
            : $"executeFor is newOnly and the event is '{e.PagerDuty?.EventType}', not 'trigger'.";

    public static ActionContext ActionContextFor(RuleEvent e, string ruleObject) =>
        e.Kind == RuleEventKind.Record
            ? new ActionContext(e.Object, e.RecordId, e.New, e.PagerDuty)
            : new ActionContext(ruleObject, null, e.LinkedRecords.TryGetValue(ruleObject, out var linked) ? linked : null, e.PagerDuty);
}

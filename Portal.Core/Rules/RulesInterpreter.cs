using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Portal.Core.Rules;

// The obviously-right reading of the document, straight from its JSON model. Tests hold the compiled snapshot to it.
public static class RulesInterpreter
{
    public static EvaluationResult Evaluate(RulesDocument document, RuleEvent e, long version = 0)
    {
        var traces = new List<RuleTrace>();
        var patterns = new Dictionary<string, Regex>(StringComparer.Ordinal);
        foreach (var ruleset in document.Rulesets.Where(ruleset => ruleset.Enabled))
        {
            foreach (var rule in ruleset.Rules.Where(rule => Applies(rule, e)))
            {
                if (rule.ExecuteFor == RuleExecuteFor.NewOnly && !RuleOutcome.IsNew(e))
                {
                    traces.Add(new RuleTrace(ruleset.Name, rule.Name, false, RuleOutcome.NotNewReason(e), [], []));
                    continue;
                }

                var conditions = rule.Conditions.Select(condition => Test(rule, condition, e, patterns)).ToList();
                var matched = conditions.Count == 0
                    || (rule.When == RuleWhen.Any ? conditions.Any(c => c.Result) : conditions.All(c => c.Result));
                var context = RuleOutcome.ActionContextFor(e, rule.Object);
                IReadOnlyList<JsonObject> actions = matched ? rule.Actions.Select(a => ActionFiller.Fill(a, context)).ToList() : [];
                traces.Add(new RuleTrace(ruleset.Name, rule.Name, matched, null, conditions, actions));
            }
        }

        return new EvaluationResult(version, traces);
    }

    private static bool Applies(Rule rule, RuleEvent e) => e.Kind == RuleEventKind.Record
        ? rule.RunOn == RuleRunOn.RecordCreateOrUpdate && rule.Object == e.Object
        : rule.RunOn == RuleRunOn.PagerDutyIncidentCreateOrUpdate;

    // No budget here: the oracle reads every condition, however long that takes.
    private static ConditionTrace Test(Rule rule, RuleCondition condition, RuleEvent e, Dictionary<string, Regex> patterns)
    {
        if (condition.Conditions is { } group)
        {
            var traces = group.Select(child => Test(rule, child, e, patterns)).ToList();
            var any = condition.When == RuleWhen.Any;
            return ConditionTrace.OfGroup(condition.When ?? RuleWhen.All, traces, any ? traces.Any(t => t.Result) : traces.All(t => t.Result));
        }

        var actual = Read(rule, condition.Field, e);
        var old = e.Kind == RuleEventKind.Record ? e.Old.GetValueOrDefault(condition.Field) : null;
        var expected = RuleValues.ExpectedText(condition.Value);
        double? number = RuleValues.TryParseNumber(expected, out var n) ? n : null;
        DateTimeOffset? date = RuleValues.TryParseDate(expected, out var d) ? d : null;
        var changed = e.Kind == RuleEventKind.Record && !e.IsInsert && !RuleValues.SameValue(old, actual);
        string? error = null;

        var result = condition.Operator switch
        {
            RuleOperators.EqualTo => RuleValues.AreEqual(actual, expected, number, date),
            RuleOperators.NotEquals => !RuleValues.AreEqual(actual, expected, number, date),
            RuleOperators.Contains => RuleValues.ToText(actual).Contains(expected, StringComparison.OrdinalIgnoreCase),
            RuleOperators.NotContains => !RuleValues.ToText(actual).Contains(expected, StringComparison.OrdinalIgnoreCase),
            RuleOperators.StartsWith => RuleValues.ToText(actual).StartsWith(expected, StringComparison.OrdinalIgnoreCase),
            RuleOperators.EndsWith => RuleValues.ToText(actual).EndsWith(expected, StringComparison.OrdinalIgnoreCase),
            RuleOperators.In => RuleValues.ListItems(condition.Value).Contains(RuleValues.ToText(actual), StringComparer.OrdinalIgnoreCase),
            RuleOperators.NotIn => !RuleValues.ListItems(condition.Value).Contains(RuleValues.ToText(actual), StringComparer.OrdinalIgnoreCase),
            RuleOperators.IsBlank => RuleValues.IsBlank(actual),
            RuleOperators.IsNotBlank => !RuleValues.IsBlank(actual),
            RuleOperators.Matches => IsMatch(RuleValues.ToText(actual), Pattern(patterns, expected), out error),
            RuleOperators.Changed => changed,
            RuleOperators.ChangedTo => changed && RuleValues.AreEqual(actual, expected, number, date),
            RuleOperators.ChangedFrom => changed && RuleValues.AreEqual(old, expected, number, date),
            _ => RuleValues.OrderingHolds(condition.Operator, RuleValues.Compare(actual, number, date)),
        };

        return new ConditionTrace(
            condition.Field, condition.Operator, RuleValues.DisplayExpected(condition.Value), RuleValues.ToText(actual), result)
        {
            Previous = RuleOperators.IsChange(condition.Operator) ? RuleValues.ToText(old) : null,
            Error = error,
        };
    }

    private static object? Read(Rule rule, string field, RuleEvent e)
    {
        if (field == RuleFields.BusinessHours)
        {
            return RuleFields.BusinessHoursValue(e.IsBusinessHours);
        }

        if (RuleFields.IsPagerDuty(field))
        {
            return RuleFields.PagerDutyValue(field, e.PagerDuty);
        }

        if (e.Kind == RuleEventKind.Record)
        {
            return e.New.GetValueOrDefault(field);
        }

        return e.LinkedRecords.TryGetValue(rule.Object, out var linked) ? linked.GetValueOrDefault(field) : null;
    }

    private static Regex Pattern(Dictionary<string, Regex> patterns, string pattern) =>
        patterns.TryGetValue(pattern, out var regex) ? regex : patterns[pattern] = RulePattern.Compile(pattern);

    private static bool IsMatch(string input, Regex regex, out string? error)
    {
        error = null;
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            error = RuleOutcome.RegexTimedOut;
            return false;
        }
    }
}

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Portal.Core.Rules;

/// A compiled rule: where its conditions read their values (slots), how each condition tests them, and its actions.
public sealed partial class RulesSnapshot
{
    private enum SlotKind
    {
        New,
        Old,
        Linked,
        PagerDuty,
        BusinessHours,
    }

    private readonly record struct SlotSource(SlotKind Kind, string Field, string Object);

    // numbers[slot] is the slot's value read as a number, NaN when it does not read as one, so that every ordering
    // comparison with it is false just as when RuleValues.TryGetNumber fails. Only slots ordered by number are read.
    private delegate bool ConditionTest(object?[] slots, double[] numbers, RuleEvent e);

    private enum FastKind : byte
    {
        Delegate,
        Greater,
        GreaterOrEqual,
        Less,
        LessOrEqual,
        Contains,
        Matches,
        Group,
    }

    // Held inline in the rule's array: a delegate and its closure are two more dependent loads per condition.
    // A `matches` test runs through the evaluation's budget, which a bucket with such tests always has.
    // `extra` is a `matches` test's Regex or a group's GroupTest (one field for both keeps the struct as small as before).
    private readonly struct FastTest(FastKind kind, int slot, double number, string expected, object? extra, ConditionTest test)
    {
        public bool Run(object?[] slots, double[] numbers, RuleEvent e, RuleBudget? budget) => kind switch
        {
            FastKind.Greater => numbers[slot] > number,
            FastKind.GreaterOrEqual => numbers[slot] >= number,
            FastKind.Less => numbers[slot] < number,
            FastKind.LessOrEqual => numbers[slot] <= number,
            FastKind.Contains => Text(slots[slot]).Contains(expected, StringComparison.OrdinalIgnoreCase),
            FastKind.Matches => budget!.IsMatch(Unsafe.As<Regex>(extra!), Text(slots[slot]), out _),
            FastKind.Group => Unsafe.As<GroupTest>(extra!).Run(slots, numbers, e, budget),
            _ => test(slots, numbers, e),
        };
    }

    /// A group of conditions: `all` or `any` of them, tested cheapest first like a rule's own; traced in document order.
    private sealed class GroupTest(bool any, CompiledCondition[] conditions)
    {
        private readonly FastTest[] _byCost = ByCost(conditions);

        public bool HasMatches { get; } = conditions.Any(condition => condition.IsMatches);

        public int Cost { get; } = 1 + conditions.Sum(condition => condition.Cost);

        public bool Run(object?[] slots, double[] numbers, RuleEvent e, RuleBudget? budget) => Holds(_byCost, any, slots, numbers, e, budget);

        public ConditionTrace Trace(object?[] slots, double[] numbers, RuleEvent e, RuleBudget budget)
        {
            var traces = conditions.Select(condition => condition.Trace(slots, numbers, e, budget)).ToArray();
            return ConditionTrace.OfGroup(any ? RuleWhen.Any : RuleWhen.All, traces, any ? traces.Any(t => t.Result) : traces.All(t => t.Result));
        }
    }

    // Conditions are pure, so the hot path may test them cheapest first; traces keep document order.
    private static FastTest[] ByCost(IEnumerable<CompiledCondition> conditions) =>
        [.. conditions.OrderBy(condition => condition.Cost).Select(condition => condition.Fast)];

    // `all` or `any` of the tests, cheapest first, stopping at the first that decides; none at all always holds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Holds(FastTest[] byCost, bool any, object?[] slots, double[] numbers, RuleEvent e, RuleBudget? budget)
    {
        if (byCost.Length == 0)
        {
            return true;
        }

        foreach (ref readonly var test in byCost.AsSpan())
        {
            if (test.Run(slots, numbers, e, budget) == any)
            {
                return any;
            }
        }

        return !any;
    }

    // What a group holds in place of a test of its own: it runs through its GroupTest.
    private static readonly ConditionTest ThroughGroup =
        (_, _, _) => throw new InvalidOperationException("A group of conditions runs through its GroupTest.");

    private static string Text(object? value) => value as string ?? RuleValues.ToText(value);

    // What a `matches` condition holds in place of a test of its own: it only runs through a budget.
    private static readonly ConditionTest ThroughBudget =
        (_, _, _) => throw new InvalidOperationException("A 'matches' condition runs through its evaluation's budget.");

    private sealed class CompiledCondition(
        string field,
        string op,
        string? expected,
        int slot,
        int oldSlot,
        Regex? regex,
        ConditionTest test)
    {
        public int Slot => slot;

        public GroupTest? Group { get; init; }

        public bool IsMatches => regex is not null || Group?.HasMatches == true;

        public EqualsKey? EqualsKey { get; init; }

        public int Cost { get; init; }

        public FastKind Kind { get; init; }

        public string Expected { get; init; } = "";

        public double Number { get; init; }

        // The test as the hot path holds it: inline for the commonest operators and for `matches`, else one delegate.
        public FastTest Fast => new(Kind, slot, Number, Expected, (object?)regex ?? Group, test);

        public ConditionTrace Trace(object?[] slots, double[] numbers, RuleEvent e, RuleBudget budget)
        {
            if (Group is { } group)
            {
                return group.Trace(slots, numbers, e, budget);
            }

            string? error = null;
            var result = regex is null ? test(slots, numbers, e) : budget.IsMatch(regex, Text(slots[slot]), out error);
            return new ConditionTrace(field, op, expected, RuleValues.ToText(slots[slot]), result)
            {
                Previous = RuleOperators.IsChange(op) ? RuleValues.ToText(oldSlot >= 0 ? slots[oldSlot] : null) : null,
                Error = error,
            };
        }
    }

    private sealed class CompiledRule(
        string ruleset,
        string name,
        string objectName,
        bool any,
        bool newOnly,
        CompiledCondition[] conditions,
        ActionTemplate[] actions,
        int indexSlot,
        CompiledCondition[] rest)
    {
        private readonly FastTest[] _byCost = ByCost(conditions);

        private readonly bool _needsContext = actions.Any(action => action.NeedsContext);

        public bool HasMatches { get; } = conditions.Any(condition => condition.IsMatches);

        public string Ruleset { get; } = ruleset;

        public string Name { get; } = name;

        public bool NewOnly { get; } = newOnly;

        /// Evaluated like a live rule; what it would have done is only logged.
        public bool Shadow { get; init; }

        public string Object => objectName;

        // The slot of the equals condition the index files this rule under, or -1.
        public int IndexSlot => indexSlot;

        // The rest of the conditions, cheapest first, once the indexed equals condition is known to hold.
        public FastTest[] Remaining { get; } = ByCost(rest);

        public bool Matches(object?[] slots, double[] numbers, RuleEvent e, RuleBudget? budget)
        {
            var matched = Test(slots, numbers, e, budget);
            Noted(budget);
            return matched;
        }

        private bool Test(object?[] slots, double[] numbers, RuleEvent e, RuleBudget? budget) => Holds(_byCost, any, slots, numbers, e, budget);

        // After each rule with `matches` conditions: the first to leave the budget spent is where it ran out.
        public void Noted(RuleBudget? budget)
        {
            if (HasMatches)
            {
                budget!.Note(Ruleset, Name);
            }
        }

        public RuleTrace Trace(object?[] slots, double[] numbers, RuleEvent e, RuleBudget budget)
        {
            var traces = new ConditionTrace[conditions.Length];
            var matched = !any || conditions.Length == 0;
            for (var i = 0; i < conditions.Length; i++)
            {
                traces[i] = conditions[i].Trace(slots, numbers, e, budget);
                matched = any ? matched || traces[i].Result : matched && traces[i].Result;
            }

            Noted(budget);

            return new RuleTrace(Ruleset, Name, matched, null, traces, matched ? FillActions(e) : []);
        }

        public IReadOnlyList<JsonObject> FillActions(RuleEvent e)
        {
            if (actions.Length == 0)
            {
                return [];
            }

            var context = _needsContext ? RuleOutcome.ActionContextFor(e, objectName) : null;
            var filled = new JsonObject[actions.Length];
            for (var i = 0; i < actions.Length; i++)
            {
                filled[i] = actions[i].Fill(context);
            }

            return filled;
        }
    }
}

using System.Collections.Frozen;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Portal.Core.Rules;

public sealed class RulesSnapshot
{
    private readonly FrozenDictionary<string, CompiledBucket> _recordBuckets;
    private readonly CompiledBucket? _pagerDutyBucket;

    private RulesSnapshot(
        long version,
        RulesDocument document,
        FrozenDictionary<string, CompiledBucket> recordBuckets,
        CompiledBucket? pagerDutyBucket)
    {
        Version = version;
        Document = document;
        _recordBuckets = recordBuckets;
        _pagerDutyBucket = pagerDutyBucket;
        RuleCount = recordBuckets.Values.Sum(bucket => bucket.Rules.Length) + (pagerDutyBucket?.Rules.Length ?? 0);
    }

    public static RulesSnapshot Empty { get; } =
        new(0, new RulesDocument(), FrozenDictionary<string, CompiledBucket>.Empty, null);

    public long Version { get; }

    public RulesDocument Document { get; }

    public int RuleCount { get; }

    /// Compiling builds each `matches` pattern's automaton (a few milliseconds at most for one pattern), so a caller that
    /// compiles on someone's behalf (a dry-run's own document) passes their cancellation.
    public static RulesSnapshot Compile(RulesDocument document, ObjectSchema schema, long version, CancellationToken cancellationToken = default) =>
        Compile(document, schema, version, indexEquals: true, cancellationToken);

    // Tests compile without the index to hold the indexed path to the full scan.
    internal static RulesSnapshot Compile(
        RulesDocument document, ObjectSchema schema, long version, bool indexEquals, CancellationToken cancellationToken = default)
    {
        // Without the document limits: a version saved before them must still load, and live evaluation is bounded by
        // its budget whatever the document holds. Saves and dry-runs check the limits first (RulesetStore.ValidateAsync).
        var validation = new RulesDocumentValidator(schema, checkLimits: false).Validate(document);
        if (!validation.IsValid)
        {
            throw new RulesDocumentInvalidException(validation.Errors.Select(error => error.ErrorMessage).ToList());
        }

        var record = new Dictionary<string, BucketBuilder>(StringComparer.Ordinal);
        BucketBuilder? pagerDuty = null;
        foreach (var ruleset in document.Rulesets.Where(ruleset => ruleset.Enabled))
        {
            foreach (var rule in ruleset.Rules)
            {
                var builder = rule.RunOn == RuleRunOn.PagerDutyIncidentCreateOrUpdate
                    ? pagerDuty ??= new BucketBuilder(isPagerDuty: true, indexEquals, cancellationToken)
                    : record.TryGetValue(rule.Object, out var existing)
                        ? existing
                        : record[rule.Object] = new BucketBuilder(isPagerDuty: false, indexEquals, cancellationToken);
                builder.Add(ruleset.Name, rule);
            }
        }

        return new RulesSnapshot(
            version,
            document,
            record.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.Build(), StringComparer.Ordinal),
            pagerDuty?.Build());
    }

    /// Every rule that applies to the event, with the trace of each condition. Without a budget, the event gets
    /// `RuleBudget.PerEvent` and no cancellation.
    public EvaluationResult Evaluate(RuleEvent e, RuleBudget? budget = null)
    {
        if (FindBucket(e) is not { } bucket)
        {
            return new EvaluationResult(Version, []);
        }

        budget ??= RuleBudget.ForEvent();

        var slots = bucket.Load(e);
        var numbers = bucket.LoadNumbers(slots);
        var isNew = RuleOutcome.IsNew(e);
        var traces = new List<RuleTrace>(bucket.Rules.Length);
        foreach (var rule in bucket.Rules)
        {
            traces.Add(rule.NewOnly && !isNew
                ? new RuleTrace(rule.Ruleset, rule.Name, false, RuleOutcome.NotNewReason(e), [], [])
                : rule.Trace(slots, numbers, e, budget));
        }

        return new EvaluationResult(Version, traces);
    }

    // The hot path: no condition traces, short-circuits, allocates only for matched rules (and a budget when the
    // event's rules have `matches` conditions and the caller brought none).
    public IReadOnlyList<MatchedRule> EvaluateMatches(RuleEvent e, RuleBudget? budget = null)
    {
        if (FindBucket(e) is not { } bucket)
        {
            return [];
        }

        if (bucket.HasMatches)
        {
            budget ??= RuleBudget.ForEvent();
        }

        var slots = bucket.Load(e);
        var numbers = bucket.LoadNumbers(slots);
        var isNew = RuleOutcome.IsNew(e);
        var rules = bucket.Rules;
        List<MatchedRule>? matches = null;
        if (bucket.Index is not { } index)
        {
            foreach (var rule in rules)
            {
                Visit(rule, slots, numbers, e, isNew, budget, ref matches);
            }

            return matches ?? (IReadOnlyList<MatchedRule>)[];
        }

        // Bits ascend with the rules' positions, so matches keep document order.
        var mask = index.Words <= MaxStackWords ? stackalloc ulong[index.Words] : new ulong[index.Words];
        index.Select(slots, mask);
        var selected = bucket.Selected;
        for (var word = 0; word < mask.Length; word++)
        {
            var bits = mask[word];
            if (!isNew)
            {
                bits &= ~selected.NewOnly[word];
            }

            for (; bits != 0; bits &= bits - 1)
            {
                var position = (word << 6) + BitOperations.TrailingZeroCount(bits);
                if (selected.Matches(position, slots, numbers, e, rules, budget))
                {
                    var rule = rules[position];
                    (matches ??= []).Add(new MatchedRule(rule.Ruleset, rule.Name, rule.Object, rule.FillActions(e)));
                }
            }
        }

        return matches ?? (IReadOnlyList<MatchedRule>)[];
    }

    private const int MaxStackWords = 64;

    private static void Visit(
        CompiledRule rule, object?[] slots, double[] numbers, RuleEvent e, bool isNew, RuleBudget? budget, ref List<MatchedRule>? matches)
    {
        if ((!rule.NewOnly || isNew) && rule.Matches(slots, numbers, e, budget))
        {
            (matches ??= []).Add(new MatchedRule(rule.Ruleset, rule.Name, rule.Object, rule.FillActions(e)));
        }
    }

    private CompiledBucket? FindBucket(RuleEvent e) => e.Kind == RuleEventKind.Record
        ? _recordBuckets.GetValueOrDefault(e.Object ?? "")
        : _pagerDutyBucket;

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
    }

    // Held inline in the rule's array: a delegate and its closure are two more dependent loads per condition.
    // A `matches` test runs through the evaluation's budget, which a bucket with such tests always has.
    private readonly struct FastTest(FastKind kind, int slot, double number, string expected, Regex? regex, ConditionTest test)
    {
        public bool Run(object?[] slots, double[] numbers, RuleEvent e, RuleBudget? budget) => kind switch
        {
            FastKind.Greater => numbers[slot] > number,
            FastKind.GreaterOrEqual => numbers[slot] >= number,
            FastKind.Less => numbers[slot] < number,
            FastKind.LessOrEqual => numbers[slot] <= number,
            FastKind.Contains => Text(slots[slot]).Contains(expected, StringComparison.OrdinalIgnoreCase),
            FastKind.Matches => budget!.IsMatch(regex!, Text(slots[slot]), out _),
            _ => test(slots, numbers, e),
        };
    }

    private static string Text(object? value) => value as string ?? RuleValues.ToText(value);

    // What a `matches` condition holds in place of a test of its own: it only runs through a budget.
    private static readonly ConditionTest ThroughBudget =
        (_, _, _) => throw new InvalidOperationException("A 'matches' condition runs through its evaluation's budget.");

    private sealed class BucketBuilder(bool isPagerDuty, bool indexEquals, CancellationToken cancellationToken)
    {
        private readonly Dictionary<SlotSource, int> _slots = [];
        private readonly HashSet<int> _numberSlots = [];
        private readonly List<CompiledRule> _rules = [];
        private readonly List<(int Slot, EqualsKey[] Keys)?> _indexKeys = [];

        public void Add(string ruleset, Rule rule)
        {
            var conditions = rule.Conditions.Select(condition => CompileCondition(rule, condition)).ToArray();
            var any = rule.When == RuleWhen.Any;
            var keys = indexEquals ? IndexKeys(any, conditions) : null;
            _rules.Add(new CompiledRule(
                ruleset,
                rule.Name,
                rule.Object,
                any,
                rule.ExecuteFor == RuleExecuteFor.NewOnly,
                conditions,
                [.. rule.Actions.Select(action => new ActionTemplate(JsonSerializer.SerializeToElement(action)))],
                keys?.Slot ?? -1,
                keys?.Remaining ?? []));
            _indexKeys.Add(keys is { } k ? (k.Slot, k.Keys) : null);
        }

        public CompiledBucket Build()
        {
            var slots = new SlotSource[_slots.Count];
            foreach (var (source, index) in _slots)
            {
                slots[index] = source;
            }

            var equals = new EqualsIndex.Builder(_rules.Count);
            for (var position = 0; position < _rules.Count; position++)
            {
                if (_indexKeys[position] is { } keys)
                {
                    equals.Add(position, keys.Slot, keys.Keys);
                }
                else
                {
                    equals.AddUnindexed(position);
                }
            }

            return new CompiledBucket(slots, [.. _numberSlots.Order()], [.. _rules], equals.Build())
            {
                HasMatches = _rules.Any(rule => rule.HasMatches),
            };
        }

        // A rule can be filed under equals keys when it cannot match unless one of them holds: an all-rule (or a
        // rule of one condition) through its first equals condition, an any-rule whose conditions all test one slot with
        // equals. Remaining is what must still hold once the key is known to be met: all of it, whatever the rule's when.
        private static (int Slot, EqualsKey[] Keys, CompiledCondition[] Remaining)? IndexKeys(bool any, CompiledCondition[] conditions)
        {
            if (!any || conditions.Length == 1)
            {
                return conditions.FirstOrDefault(condition => condition.EqualsKey is not null) is { } first
                    ? (first.Slot, [first.EqualsKey!.Value], [.. conditions.Where(condition => condition != first)])
                    : null;
            }

            return conditions.Length > 0 && conditions.All(condition => condition.EqualsKey is not null && condition.Slot == conditions[0].Slot)
                ? (conditions[0].Slot, [.. conditions.Select(condition => condition.EqualsKey!.Value)], [])
                : null;
        }

        private int Slot(SlotKind kind, string field, string objectName = "")
        {
            var source = new SlotSource(kind, field, objectName);
            if (!_slots.TryGetValue(source, out var index))
            {
                index = _slots.Count;
                _slots[source] = index;
            }

            return index;
        }

        private int ValueSlot(Rule rule, string field)
        {
            if (field == RuleFields.BusinessHours)
            {
                return Slot(SlotKind.BusinessHours, field);
            }

            if (RuleFields.IsPagerDuty(field))
            {
                return Slot(SlotKind.PagerDuty, field);
            }

            return isPagerDuty ? Slot(SlotKind.Linked, field, rule.Object) : Slot(SlotKind.New, field);
        }

        private CompiledCondition CompileCondition(Rule rule, RuleCondition condition)
        {
            var op = condition.Operator;
            var slot = ValueSlot(rule, condition.Field);
            var oldSlot = RuleOperators.IsChange(op) ? (isPagerDuty ? -1 : Slot(SlotKind.Old, condition.Field)) : -1;
            var expected = RuleValues.ExpectedText(condition.Value);
            double? number = RuleValues.TryParseNumber(expected, out var n) ? n : null;
            DateTimeOffset? date = RuleValues.TryParseDate(expected, out var d) ? d : null;
            Regex? regex = null;
            if (op == RuleOperators.Matches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                regex = RulePattern.Compile(expected);
            }

            if (RuleOperators.IsOrdering(op) && number is not null)
            {
                _numberSlots.Add(slot);
            }

            ConditionTest test = op switch
            {
                RuleOperators.EqualTo => (s, _, _) => s[slot] is string text
                    ? string.Equals(text, expected, StringComparison.OrdinalIgnoreCase)
                    : RuleValues.AreEqual(s[slot], expected, number, date),
                RuleOperators.NotEquals => (s, _, _) => s[slot] is string text
                    ? !string.Equals(text, expected, StringComparison.OrdinalIgnoreCase)
                    : !RuleValues.AreEqual(s[slot], expected, number, date),
                RuleOperators.Contains => (s, _, _) => Text(s[slot]).Contains(expected, StringComparison.OrdinalIgnoreCase),
                RuleOperators.NotContains => (s, _, _) => !Text(s[slot]).Contains(expected, StringComparison.OrdinalIgnoreCase),
                RuleOperators.StartsWith => (s, _, _) => Text(s[slot]).StartsWith(expected, StringComparison.OrdinalIgnoreCase),
                RuleOperators.EndsWith => (s, _, _) => Text(s[slot]).EndsWith(expected, StringComparison.OrdinalIgnoreCase),
                RuleOperators.In => InList(condition, slot, negate: false),
                RuleOperators.NotIn => InList(condition, slot, negate: true),
                RuleOperators.IsBlank => (s, _, _) => RuleValues.IsBlank(s[slot]),
                RuleOperators.IsNotBlank => (s, _, _) => !RuleValues.IsBlank(s[slot]),
                _ when RuleOperators.IsOrdering(op) => Ordering(op, slot, number, date),
                RuleOperators.Matches => ThroughBudget,
                RuleOperators.Changed when oldSlot >= 0 =>
                    (s, _, e) => !e.IsInsert && !RuleValues.SameValue(s[oldSlot], s[slot]),
                RuleOperators.ChangedTo when oldSlot >= 0 =>
                    (s, _, e) => !e.IsInsert && !RuleValues.SameValue(s[oldSlot], s[slot]) && RuleValues.AreEqual(s[slot], expected, number, date),
                RuleOperators.ChangedFrom when oldSlot >= 0 =>
                    (s, _, e) => !e.IsInsert && !RuleValues.SameValue(s[oldSlot], s[slot]) && RuleValues.AreEqual(s[oldSlot], expected, number, date),
                // A PagerDuty event carries no old values, so nothing has changed.
                _ when RuleOperators.IsChange(op) => (_, _, _) => false,
                _ => throw new InvalidOperationException($"Operator '{op}' passed validation but has no compiled form."),
            };

            var kind = op switch
            {
                RuleOperators.GreaterThan when number is not null => FastKind.Greater,
                RuleOperators.GreaterOrEqual when number is not null => FastKind.GreaterOrEqual,
                RuleOperators.LessThan when number is not null => FastKind.Less,
                RuleOperators.LessOrEqual when number is not null => FastKind.LessOrEqual,
                RuleOperators.Contains => FastKind.Contains,
                RuleOperators.Matches => FastKind.Matches,
                _ => FastKind.Delegate,
            };

            return new CompiledCondition(
                condition.Field, op, RuleValues.DisplayExpected(condition.Value), slot, oldSlot, regex, test)
            {
                EqualsKey = op == RuleOperators.EqualTo ? new EqualsKey(expected, number, date) : null,
                Cost = Cost(op, number, date),
                Kind = kind,
                Expected = expected,
                Number = number ?? double.NaN,
            };
        }

        // Relative price of a test, so that an all-rule fails (or an any-rule succeeds) on the cheapest conditions first.
        private static int Cost(string op, double? number, DateTimeOffset? date) => op switch
        {
            _ when RuleOperators.IsOrdering(op) => number is null && date is not null ? 3 : 0,
            RuleOperators.Contains or RuleOperators.NotContains or RuleOperators.StartsWith or RuleOperators.EndsWith => 2,
            RuleOperators.Matches => 4,
            _ => 1,
        };

        private static ConditionTest InList(RuleCondition condition, int slot, bool negate)
        {
            var items = new HashSet<string>(RuleValues.ListItems(condition.Value), StringComparer.OrdinalIgnoreCase).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
            return negate ? (s, _, _) => !items.Contains(Text(s[slot])) : (s, _, _) => items.Contains(Text(s[slot]));
        }

        // Specialised per operator and kind so the hot path compares plain doubles or instants.
        private static ConditionTest Ordering(string op, int slot, double? number, DateTimeOffset? date)
        {
            if (number is { } n)
            {
                return op switch
                {
                    RuleOperators.GreaterThan => (_, x, _) => x[slot] > n,
                    RuleOperators.GreaterOrEqual => (_, x, _) => x[slot] >= n,
                    RuleOperators.LessThan => (_, x, _) => x[slot] < n,
                    _ => (_, x, _) => x[slot] <= n,
                };
            }

            if (date is { } d)
            {
                return op switch
                {
                    RuleOperators.GreaterThan => (s, _, _) => RuleValues.TryGetDate(s[slot], out var a) && a > d,
                    RuleOperators.GreaterOrEqual => (s, _, _) => RuleValues.TryGetDate(s[slot], out var a) && a >= d,
                    RuleOperators.LessThan => (s, _, _) => RuleValues.TryGetDate(s[slot], out var a) && a < d,
                    _ => (s, _, _) => RuleValues.TryGetDate(s[slot], out var a) && a <= d,
                };
            }

            return (_, _, _) => false;
        }
    }

    private sealed class CompiledBucket(SlotSource[] slots, int[] numberSlots, CompiledRule[] rules, EqualsIndex? index)
    {
        public CompiledRule[] Rules { get; } = rules;

        public EqualsIndex? Index { get; } = index;

        public bool HasMatches { get; init; }

        public SelectedRules Selected { get; } = new(rules);

        public double[] LoadNumbers(object?[] values)
        {
            if (numberSlots.Length == 0)
            {
                return [];
            }

            var numbers = new double[values.Length];
            foreach (var slot in numberSlots)
            {
                numbers[slot] = RuleValues.TryGetNumber(values[slot], out var number) ? number : double.NaN;
            }

            return numbers;
        }

        public object?[] Load(RuleEvent e)
        {
            var values = new object?[slots.Length];
            for (var i = 0; i < slots.Length; i++)
            {
                var source = slots[i];
                values[i] = source.Kind switch
                {
                    SlotKind.New => e.New.GetValueOrDefault(source.Field),
                    SlotKind.Old => e.Old.GetValueOrDefault(source.Field),
                    SlotKind.Linked => e.LinkedRecords.TryGetValue(source.Object, out var linked) ? linked.GetValueOrDefault(source.Field) : null,
                    SlotKind.PagerDuty => RuleFields.PagerDutyValue(source.Field, e.PagerDuty),
                    _ => RuleFields.BusinessHoursValue(e.IsBusinessHours),
                };
            }

            return values;
        }
    }

    // What the indexed path reads per selected rule, by position in flat arrays, so that a rule that fails costs no
    // visit to its own object: whether it runs for new records only, its equals slot, and its remaining tests.
    private sealed class SelectedRules
    {
        private readonly int[] _indexSlots;
        private readonly int[] _testStarts;
        private readonly FastTest[] _tests;

        public SelectedRules(CompiledRule[] rules)
        {
            NewOnly = new ulong[Math.Max(1, (rules.Length + 63) / 64)];
            _indexSlots = new int[rules.Length];
            _testStarts = new int[rules.Length + 1];
            List<FastTest> tests = [];
            for (var position = 0; position < rules.Length; position++)
            {
                if (rules[position].NewOnly)
                {
                    NewOnly[position >> 6] |= 1UL << position;
                }

                _indexSlots[position] = rules[position].IndexSlot;
                _testStarts[position] = tests.Count;
                tests.AddRange(rules[position].Remaining);
            }

            _testStarts[rules.Length] = tests.Count;
            _tests = [.. tests];
        }

        public ulong[] NewOnly { get; }

        // A text value was looked up exactly (ignoring case, as equals compares text), so the rule's equals key holds
        // and only its remaining conditions are tested; any other value may have been a wider lookup: tested in full.
        public bool Matches(int position, object?[] slots, double[] numbers, RuleEvent e, CompiledRule[] rules, RuleBudget? budget)
        {
            var slot = _indexSlots[position];
            var rule = rules[position];
            if (slot < 0 || slots[slot] is not string)
            {
                return rule.Matches(slots, numbers, e, budget);
            }

            var matched = true;
            var end = _testStarts[position + 1];
            for (var i = _testStarts[position]; i < end && matched; i++)
            {
                matched = _tests[i].Run(slots, numbers, e, budget);
            }

            rule.Noted(budget);
            return matched;
        }
    }

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

        public bool IsMatches => regex is not null;

        public EqualsKey? EqualsKey { get; init; }

        public int Cost { get; init; }

        public FastKind Kind { get; init; }

        public string Expected { get; init; } = "";

        public double Number { get; init; }

        // The test as the hot path holds it: inline for the commonest operators and for `matches`, else one delegate.
        public FastTest Fast => new(Kind, slot, Number, Expected, regex, test);

        public ConditionTrace Trace(object?[] slots, double[] numbers, RuleEvent e, RuleBudget budget)
        {
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
        // Conditions are pure, so the hot path may test them cheapest first; traces keep document order.
        private readonly FastTest[] _byCost = [.. conditions.OrderBy(condition => condition.Cost).Select(condition => condition.Fast)];


        private readonly bool _needsContext = actions.Any(action => action.NeedsContext);

        public bool HasMatches { get; } = conditions.Any(condition => condition.IsMatches);

        public string Ruleset { get; } = ruleset;

        public string Name { get; } = name;

        public bool NewOnly { get; } = newOnly;

        public string Object => objectName;

        // The slot of the equals condition the index files this rule under, or -1.
        public int IndexSlot => indexSlot;

        // The rest of the conditions, cheapest first, once the indexed equals condition is known to hold.
        public FastTest[] Remaining { get; } = [.. rest.OrderBy(condition => condition.Cost).Select(condition => condition.Fast)];

        public bool Matches(object?[] slots, double[] numbers, RuleEvent e, RuleBudget? budget)
        {
            var matched = Test(slots, numbers, e, budget);
            Noted(budget);
            return matched;
        }

        private bool Test(object?[] slots, double[] numbers, RuleEvent e, RuleBudget? budget)
        {
            if (_byCost.Length == 0)
            {
                return true;
            }

            foreach (ref readonly var test in _byCost.AsSpan())
            {
                if (test.Run(slots, numbers, e, budget) == any)
                {
                    return any;
                }
            }

            return !any;
        }

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

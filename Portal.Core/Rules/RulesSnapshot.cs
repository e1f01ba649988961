using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Portal.Core.Rules;

public sealed class RulesSnapshot
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

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

    public static RulesSnapshot Compile(RulesDocument document, ObjectSchema schema, long version)
    {
        var validation = new RulesDocumentValidator(schema).Validate(document);
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
                    ? pagerDuty ??= new BucketBuilder(isPagerDuty: true)
                    : record.TryGetValue(rule.Object, out var existing) ? existing : record[rule.Object] = new BucketBuilder(isPagerDuty: false);
                builder.Add(ruleset.Name, rule);
            }
        }

        return new RulesSnapshot(
            version,
            document,
            record.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.Build(), StringComparer.Ordinal),
            pagerDuty?.Build());
    }

    public EvaluationResult Evaluate(RuleEvent e)
    {
        if (FindBucket(e) is not { } bucket)
        {
            return new EvaluationResult(Version, []);
        }

        var slots = bucket.Load(e);
        var isNew = RuleOutcome.IsNew(e);
        var traces = new List<RuleTrace>(bucket.Rules.Length);
        foreach (var rule in bucket.Rules)
        {
            traces.Add(rule.NewOnly && !isNew
                ? new RuleTrace(rule.Ruleset, rule.Name, false, RuleOutcome.NotNewReason(e), [], [])
                : rule.Trace(slots, e));
        }

        return new EvaluationResult(Version, traces);
    }

    // The hot path: no condition traces, short-circuits, allocates only for matched rules.
    public IReadOnlyList<MatchedRule> EvaluateMatches(RuleEvent e)
    {
        if (FindBucket(e) is not { } bucket)
        {
            return [];
        }

        var slots = bucket.Load(e);
        var isNew = RuleOutcome.IsNew(e);
        List<MatchedRule>? matches = null;
        foreach (var rule in bucket.Rules)
        {
            if ((!rule.NewOnly || isNew) && rule.Matches(slots, e))
            {
                (matches ??= []).Add(new MatchedRule(rule.Ruleset, rule.Name, rule.Object, rule.FillActions(e)));
            }
        }

        return matches ?? (IReadOnlyList<MatchedRule>)[];
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

    private delegate bool ConditionTest(object?[] slots, RuleEvent e);

    private sealed class BucketBuilder(bool isPagerDuty)
    {
        private readonly Dictionary<SlotSource, int> _slots = [];
        private readonly List<CompiledRule> _rules = [];

        public void Add(string ruleset, Rule rule)
        {
            var conditions = rule.Conditions.Select(condition => CompileCondition(rule, condition)).ToArray();
            _rules.Add(new CompiledRule(
                ruleset,
                rule.Name,
                rule.Object,
                rule.When == RuleWhen.Any,
                rule.ExecuteFor == RuleExecuteFor.NewOnly,
                conditions,
                [.. rule.Actions.Select(action => JsonSerializer.SerializeToElement(action))]));
        }

        public CompiledBucket Build()
        {
            var slots = new SlotSource[_slots.Count];
            foreach (var (source, index) in _slots)
            {
                slots[index] = source;
            }

            return new CompiledBucket(slots, [.. _rules]);
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

            ConditionTest test = op switch
            {
                RuleOperators.EqualTo => (s, _) => s[slot] is string text
                    ? string.Equals(text, expected, StringComparison.OrdinalIgnoreCase)
                    : RuleValues.AreEqual(s[slot], expected, number, date),
                RuleOperators.NotEquals => (s, _) => s[slot] is string text
                    ? !string.Equals(text, expected, StringComparison.OrdinalIgnoreCase)
                    : !RuleValues.AreEqual(s[slot], expected, number, date),
                RuleOperators.Contains => (s, _) => Text(s[slot]).Contains(expected, StringComparison.OrdinalIgnoreCase),
                RuleOperators.NotContains => (s, _) => !Text(s[slot]).Contains(expected, StringComparison.OrdinalIgnoreCase),
                RuleOperators.StartsWith => (s, _) => Text(s[slot]).StartsWith(expected, StringComparison.OrdinalIgnoreCase),
                RuleOperators.EndsWith => (s, _) => Text(s[slot]).EndsWith(expected, StringComparison.OrdinalIgnoreCase),
                RuleOperators.In => InList(condition, slot, negate: false),
                RuleOperators.NotIn => InList(condition, slot, negate: true),
                RuleOperators.IsBlank => (s, _) => RuleValues.IsBlank(s[slot]),
                RuleOperators.IsNotBlank => (s, _) => !RuleValues.IsBlank(s[slot]),
                _ when RuleOperators.IsOrdering(op) => Ordering(op, slot, number, date),
                RuleOperators.Matches => Matches(expected, slot),
                RuleOperators.Changed when oldSlot >= 0 =>
                    (s, e) => !e.IsInsert && !RuleValues.SameValue(s[oldSlot], s[slot]),
                RuleOperators.ChangedTo when oldSlot >= 0 =>
                    (s, e) => !e.IsInsert && !RuleValues.SameValue(s[oldSlot], s[slot]) && RuleValues.AreEqual(s[slot], expected, number, date),
                RuleOperators.ChangedFrom when oldSlot >= 0 =>
                    (s, e) => !e.IsInsert && !RuleValues.SameValue(s[oldSlot], s[slot]) && RuleValues.AreEqual(s[oldSlot], expected, number, date),
                // A PagerDuty event carries no old values, so nothing has changed.
                _ when RuleOperators.IsChange(op) => (_, _) => false,
                _ => throw new InvalidOperationException($"Operator '{op}' passed validation but has no compiled form."),
            };

            return new CompiledCondition(
                condition.Field, op, RuleValues.DisplayExpected(condition.Value), slot, oldSlot, op == RuleOperators.Matches, test);
        }

        private static ConditionTest InList(RuleCondition condition, int slot, bool negate)
        {
            var items = new HashSet<string>(RuleValues.ListItems(condition.Value), StringComparer.OrdinalIgnoreCase).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
            return negate ? (s, _) => !items.Contains(Text(s[slot])) : (s, _) => items.Contains(Text(s[slot]));
        }

        // Specialised per operator and kind so the hot path compares plain doubles or instants.
        private static ConditionTest Ordering(string op, int slot, double? number, DateTimeOffset? date)
        {
            if (number is { } n)
            {
                return op switch
                {
                    RuleOperators.GreaterThan => (s, _) => RuleValues.TryGetNumber(s[slot], out var a) && a > n,
                    RuleOperators.GreaterOrEqual => (s, _) => RuleValues.TryGetNumber(s[slot], out var a) && a >= n,
                    RuleOperators.LessThan => (s, _) => RuleValues.TryGetNumber(s[slot], out var a) && a < n,
                    _ => (s, _) => RuleValues.TryGetNumber(s[slot], out var a) && a <= n,
                };
            }

            if (date is { } d)
            {
                return op switch
                {
                    RuleOperators.GreaterThan => (s, _) => RuleValues.TryGetDate(s[slot], out var a) && a > d,
                    RuleOperators.GreaterOrEqual => (s, _) => RuleValues.TryGetDate(s[slot], out var a) && a >= d,
                    RuleOperators.LessThan => (s, _) => RuleValues.TryGetDate(s[slot], out var a) && a < d,
                    _ => (s, _) => RuleValues.TryGetDate(s[slot], out var a) && a <= d,
                };
            }

            return (_, _) => false;
        }

        private static ConditionTest Matches(string pattern, int slot)
        {
            var regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout);
            return (s, _) => regex.IsMatch(Text(s[slot]));
        }

        private static string Text(object? value) => value as string ?? RuleValues.ToText(value);
    }

    private sealed class CompiledBucket(SlotSource[] slots, CompiledRule[] rules)
    {
        public CompiledRule[] Rules { get; } = rules;

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

    private sealed class CompiledCondition(
        string field,
        string op,
        string? expected,
        int slot,
        int oldSlot,
        bool canTimeOut,
        ConditionTest test)
    {
        public bool Test(object?[] slots, RuleEvent e)
        {
            if (!canTimeOut)
            {
                return test(slots, e);
            }

            return TestGuarded(slots, e, out _);
        }

        public ConditionTrace Trace(object?[] slots, RuleEvent e)
        {
            string? error = null;
            var result = canTimeOut ? TestGuarded(slots, e, out error) : test(slots, e);
            return new ConditionTrace(field, op, expected, RuleValues.ToText(slots[slot]), result)
            {
                Previous = RuleOperators.IsChange(op) ? RuleValues.ToText(oldSlot >= 0 ? slots[oldSlot] : null) : null,
                Error = error,
            };
        }

        private bool TestGuarded(object?[] slots, RuleEvent e, out string? error)
        {
            error = null;
            try
            {
                return test(slots, e);
            }
            catch (RegexMatchTimeoutException)
            {
                error = RuleOutcome.RegexTimedOut;
                return false;
            }
        }
    }

    private sealed class CompiledRule(
        string ruleset,
        string name,
        string objectName,
        bool any,
        bool newOnly,
        CompiledCondition[] conditions,
        JsonElement[] actions)
    {
        private readonly bool[] _needsFill = [.. actions.Select(ActionFiller.NeedsFill)];

        public string Ruleset { get; } = ruleset;

        public string Name { get; } = name;

        public bool NewOnly { get; } = newOnly;

        public string Object => objectName;

        public bool Matches(object?[] slots, RuleEvent e)
        {
            if (conditions.Length == 0)
            {
                return true;
            }

            foreach (var condition in conditions)
            {
                if (condition.Test(slots, e) == any)
                {
                    return any;
                }
            }

            return !any;
        }

        public RuleTrace Trace(object?[] slots, RuleEvent e)
        {
            var traces = new ConditionTrace[conditions.Length];
            var matched = !any || conditions.Length == 0;
            for (var i = 0; i < conditions.Length; i++)
            {
                traces[i] = conditions[i].Trace(slots, e);
                matched = any ? matched || traces[i].Result : matched && traces[i].Result;
            }

            return new RuleTrace(Ruleset, Name, matched, null, traces, matched ? FillActions(e) : []);
        }

        public IReadOnlyList<JsonObject> FillActions(RuleEvent e)
        {
            if (actions.Length == 0)
            {
                return [];
            }

            var context = RuleOutcome.ActionContextFor(e, objectName);
            var filled = new JsonObject[actions.Length];
            for (var i = 0; i < actions.Length; i++)
            {
                filled[i] = _needsFill[i] ? ActionFiller.Fill(actions[i], context) : JsonObject.Create(actions[i])!;
            }

            return filled;
        }
    }
}

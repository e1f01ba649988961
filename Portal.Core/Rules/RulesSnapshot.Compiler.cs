using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Portal.Core.Rules;

/// The compiler: a bucket of rules per object (and one for PagerDuty events), each condition turned into a test over
/// shared slots, and the equals index's keys.
public sealed partial class RulesSnapshot
{
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
                keys?.Remaining ?? []) { Shadow = rule.IsShadow });
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
            if (condition.Conditions is { } conditions)
            {
                // a group is one condition of its rule (never filed under the equals index), its own conditions compiled alike
                var group = new GroupTest(condition.When == RuleWhen.Any, [.. conditions.Select(child => CompileCondition(rule, child))]);
                return new CompiledCondition("", "", null, -1, -1, null, ThroughGroup) { Group = group, Kind = FastKind.Group, Cost = group.Cost };
            }

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
}

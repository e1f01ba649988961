

namespace Portal.Core.Rules;

/// A compiled bucket: the slots it loads from an event, its rules, and what the equals index selects of them.
public sealed partial class RulesSnapshot
{
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
}

using System.Collections.Frozen;

namespace Portal.Core.Rules;

// What an equals condition compares with, exactly as RuleValues.AreEqual receives it.
internal readonly record struct EqualsKey(string Text, double? Number, DateTimeOffset? Date);

// Narrows a bucket to the rules an event can match. A rule that cannot match unless one of its equals conditions
// holds is filed under the keys those conditions compare with; every other rule is always visited. A lookup may
// return rules that then fail (they are still tested in full), but never leaves out one that AreEqual accepts.
internal sealed class EqualsIndex
{
    private readonly ulong[] _alwaysVisit;
    private readonly SlotIndex[] _slots;

    private EqualsIndex(ulong[] alwaysVisit, SlotIndex[] slots)
    {
        _alwaysVisit = alwaysVisit;
        _slots = slots;
    }

    public int Words => _alwaysVisit.Length;

    // Sets the bit of every rule position to visit for these slot values; mask must be Words long.
    public void Select(object?[] values, Span<ulong> mask)
    {
        _alwaysVisit.CopyTo(mask);
        foreach (var slot in _slots)
        {
            slot.Mark(values[slot.Slot], mask);
        }
    }

    internal sealed class Builder(int ruleCount)
    {
        private readonly ulong[] _alwaysVisit = new ulong[Math.Max(1, (ruleCount + 63) / 64)];
        private readonly Dictionary<int, SlotBuilder> _slots = [];

        public void AddUnindexed(int position) => _alwaysVisit[position >> 6] |= 1UL << position;

        public void Add(int position, int slot, IEnumerable<EqualsKey> keys)
        {
            if (!_slots.TryGetValue(slot, out var builder))
            {
                _slots[slot] = builder = new SlotBuilder();
            }

            foreach (var key in keys)
            {
                builder.Add(position, key);
            }
        }

        // Null when no rule could be indexed: scanning them all is then cheaper than a mask.
        public EqualsIndex? Build() => _slots.Count == 0
            ? null
            : new EqualsIndex(_alwaysVisit, [.. _slots.OrderBy(pair => pair.Key).Select(pair => pair.Value.Build(pair.Key))]);
    }

    private sealed class SlotBuilder
    {
        private readonly Dictionary<string, List<int>> _text = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<double, List<int>> _numbers = [];
        private readonly Dictionary<long, List<int>> _dates = [];

        public void Add(int position, EqualsKey key)
        {
            File(_text, key.Text, position);
            if (key.Number is { } number)
            {
                File(_numbers, NumberKey(number), position);
            }

            if (key.Date is { } date)
            {
                File(_dates, date.UtcTicks, position);
            }
        }

        public SlotIndex Build(int slot) => new(
            slot,
            _text.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.OrdinalIgnoreCase),
            _numbers.Count == 0 ? null : _numbers.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.ToArray()),
            _dates.Count == 0 ? null : _dates.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.ToArray()));

        private static void File<TKey>(Dictionary<TKey, List<int>> groups, TKey key, int position)
            where TKey : notnull
        {
            if (!groups.TryGetValue(key, out var positions))
            {
                groups[key] = positions = [];
            }

            // Positions arrive in document order; an any-rule may file the same key twice.
            if (positions.Count == 0 || positions[^1] != position)
            {
                positions.Add(position);
            }
        }
    }

    private sealed class SlotIndex(
        int slot,
        FrozenDictionary<string, int[]> text,
        FrozenDictionary<double, int[]>? numbers,
        FrozenDictionary<long, int[]>? dates)
    {
        public int Slot => slot;

        // Follows RuleValues.AreEqual: a string compares only as text ignoring case; a number compares numerically
        // with an expected number and otherwise as text; a date likewise with an expected date; anything else as text.
        public void Mark(object? actual, Span<ulong> mask)
        {
            if (actual is string s)
            {
                Mark(text, s, mask);
                return;
            }

            if (actual is DateTime or DateTimeOffset)
            {
                if (dates is not null && RuleValues.TryGetDate(actual, out var instant))
                {
                    Mark(dates, instant.UtcTicks, mask);
                }
            }
            else if (numbers is not null && RuleValues.IsNumeric(actual) && RuleValues.TryGetNumber(actual, out var number))
            {
                Mark(numbers, NumberKey(number), mask);
            }

            Mark(text, RuleValues.ToText(actual), mask);
        }

        private static void Mark<TKey>(FrozenDictionary<TKey, int[]> groups, TKey key, Span<ulong> mask)
            where TKey : notnull
        {
            if (groups.TryGetValue(key, out var positions))
            {
                foreach (var position in positions)
                {
                    mask[position >> 6] |= 1UL << position;
                }
            }
        }
    }

    // -0 equals 0 as a double, so both must land on one key.
    private static double NumberKey(double number) => number == 0 ? 0d : number;
}

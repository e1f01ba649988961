using System.Collections.Frozen;
using System.Numerics;

namespace Portal.Core.Rules;

/// The rules in force, compiled for evaluation: its public face (compile, evaluate, the hot path's matches). The
/// compiler is `RulesSnapshot.Compiler.cs`, a compiled rule and its conditions `RulesSnapshot.CompiledRule.cs`, the
/// per-object buckets and the equals index's selection `RulesSnapshot.Selection.cs`.
public sealed partial class RulesSnapshot
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

        return Build(document, schema, version, indexEquals, cancellationToken);
    }

    /// A document the caller has just validated against `schema` (a save, a dry-run of a draft): compiled without
    /// checking it a second time.
    internal static RulesSnapshot CompileValidated(RulesDocument document, ObjectSchema schema, long version, CancellationToken cancellationToken = default) =>
        Build(document, schema, version, indexEquals: true, cancellationToken);

    private static RulesSnapshot Build(RulesDocument document, ObjectSchema schema, long version, bool indexEquals, CancellationToken cancellationToken)
    {
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
                    (matches ??= []).Add(new MatchedRule(rule.Ruleset, rule.Name, rule.Object, rule.FillActions(e), rule.Shadow));
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
            (matches ??= []).Add(new MatchedRule(rule.Ruleset, rule.Name, rule.Object, rule.FillActions(e), rule.Shadow));
        }
    }

    private CompiledBucket? FindBucket(RuleEvent e) => e.Kind == RuleEventKind.Record
        ? _recordBuckets.GetValueOrDefault(e.Object ?? "")
        : _pagerDutyBucket;
}

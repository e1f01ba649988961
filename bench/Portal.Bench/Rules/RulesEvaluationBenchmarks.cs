using BenchmarkDotNet.Attributes;
using Portal.Core.Rules;

namespace Portal.Bench.Rules;

/// Time per event against a 1,000-rule snapshot (the event's object has 100 of them). Each invocation runs
/// the same 200 events, so the figures are per event.
[Config(typeof(PerEventConfig))]
public class RulesEvaluationBenchmarks
{
    private const int EventCount = 200;

    private RulesWorkload _workload = null!;
    private RulesSnapshot _snapshot = null!;
    private RulesSnapshot _withPlaceholders = null!;
    private RulesEngine.RulesEngine _rulesEngine = null!;

    [GlobalSetup]
    public void Setup()
    {
        _workload = RulesWorkload.Create(EventCount);
        _snapshot = RulesSnapshot.Compile(_workload.Document, _workload.Schema, version: 1);
        _withPlaceholders = RulesSnapshot.Compile(_workload.DocumentWithPlaceholders, _workload.Schema, version: 2);
        _rulesEngine = new RulesEngine.RulesEngine(_workload.Workflows);
        RulesAgreement.Check(_workload, _snapshot, _rulesEngine, _workload.ExpandoInputs);
        RulesAgreement.Check(_workload, _withPlaceholders, _rulesEngine, _workload.ExpandoInputs);
        RulesAgreement.Check(_workload, _snapshot, _rulesEngine, _workload.TypedInputs);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EventCount, Description = "Portal EvaluateMatches")]
    public int PortalEvaluateMatches()
    {
        var matched = 0;
        foreach (var e in _workload.Events)
        {
            matched += _snapshot.EvaluateMatches(e).Count;
        }

        return matched;
    }

    [Benchmark(OperationsPerInvoke = EventCount, Description = "Portal Evaluate (full trace)")]
    public int PortalEvaluate()
    {
        var traced = 0;
        foreach (var e in _workload.Events)
        {
            traced += _snapshot.Evaluate(e).Matches.Count;
        }

        return traced;
    }

    [Benchmark(OperationsPerInvoke = EventCount, Description = "Portal EvaluateMatches, {{record.Subject}} in the note")]
    public int PortalEvaluateMatchesFilling()
    {
        var matched = 0;
        foreach (var e in _workload.Events)
        {
            matched += _withPlaceholders.EvaluateMatches(e).Count;
        }

        return matched;
    }

    [Benchmark(OperationsPerInvoke = EventCount, Description = "RulesEngine 6.0.1, ExpandoObject input")]
    public async Task<int> RulesEngineExpando()
    {
        var matched = 0;
        foreach (var input in _workload.ExpandoInputs)
        {
            var results = await _rulesEngine.ExecuteAllRulesAsync(RulesWorkload.EventObject, input);
            matched += results.Count(r => r.IsSuccess);
        }

        return matched;
    }

    [Benchmark(OperationsPerInvoke = EventCount, Description = "RulesEngine 6.0.1, typed input")]
    public async Task<int> RulesEngineTyped()
    {
        var matched = 0;
        foreach (var input in _workload.TypedInputs)
        {
            var results = await _rulesEngine.ExecuteAllRulesAsync(RulesWorkload.EventObject, input);
            matched += results.Count(r => r.IsSuccess);
        }

        return matched;
    }
}

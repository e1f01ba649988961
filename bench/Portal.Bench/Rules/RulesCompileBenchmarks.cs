using BenchmarkDotNet.Attributes;
using Portal.Core.Rules;

namespace Portal.Bench.Rules;

/// Building the 1,000-rule snapshot, and what RulesEngine does instead: it compiles a workflow lazily, on the
/// workflow's first execution, so its row is a new engine plus one event through each of the 10 workflows.
/// Every invocation starts from scratch (Monitoring: one call per iteration, no unrolling).
[Config(typeof(OneShotConfig))]
public class RulesCompileBenchmarks
{
    private RulesWorkload _workload = null!;
    private RulesEngine.Models.Workflow[] _workflows = null!;
    private object[] _firstInputs = null!;

    [GlobalSetup]
    public void Setup()
    {
        _workload = RulesWorkload.Create(eventCount: 10);
        _firstInputs = _workload.ExpandoInputs;
    }

    [IterationSetup(Target = nameof(RulesEngineFirstExecution))]
    public void FreshWorkflows()
    {
        // Every engine gets workflow objects of its own, so nothing an earlier engine cached on them carries over.
        _workflows = RulesWorkload.Create(eventCount: 1).Workflows;
    }

    [Benchmark(Baseline = true, Description = "Portal RulesSnapshot.Compile (1,000 rules)")]
    public RulesSnapshot PortalCompile() => RulesSnapshot.Compile(_workload.Document, _workload.Schema, version: 1);

    [Benchmark(Description = "Portal Parse JSON + Compile (1,000 rules)")]
    public RulesSnapshot PortalParseAndCompile() =>
        RulesSnapshot.Compile(RulesDocumentJson.Parse(_workload.Json), _workload.Schema, version: 1);

    [Benchmark(Description = "RulesEngine 6.0.1 new engine + first execution of 10 workflows")]
    public async Task<int> RulesEngineFirstExecution()
    {
        var engine = new RulesEngine.RulesEngine(_workflows);
        var matched = 0;
        for (var w = 0; w < RulesWorkload.Objects.Length; w++)
        {
            var results = await engine.ExecuteAllRulesAsync(RulesWorkload.Objects[w], _firstInputs[w]);
            matched += results.Count(r => r.IsSuccess);
        }

        return matched;
    }
}

using BenchmarkDotNet.Running;
using Portal.Bench.Records;
using Portal.Bench.Rules;

if (args is ["--per-event"])
{
    await PerEventDistribution.RunAsync();
    return;
}

if (args is ["--records-sql"])
{
    await RecordStoreSqlCount.RunAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(RulesWorkload).Assembly).Run(args);

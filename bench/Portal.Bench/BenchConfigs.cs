using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Portal.Bench;

// Every job runs in process. The default toolchain generates a project per job and builds it, which rebuilds
// Portal.Core from the working tree in the middle of the run; here the code measured is the one built once by
// `dotnet run -c Release`, and the run never writes into Portal.Core's obj/ and bin/ folders.
internal static class Jobs
{
    public static Job InProcess(this Job job, string id) => job.WithToolchain(InProcessEmitToolchain.Instance).WithId(id);
}

/// Per-call microbenchmarks: median, P95 and P99 beside the mean, and allocations. The percentiles are over
/// BenchmarkDotNet's iterations (each the mean of many calls), not over single calls: `--per-event` times single
/// events. A reduced job (30 measured iterations instead of up to 100) keeps the run within minutes on 2 cores.
public sealed class PerEventConfig : ManualConfig
{
    public PerEventConfig()
    {
        AddJob(Job.Default.WithWarmupCount(6).WithIterationCount(30).InProcess("Reduced"));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, new PercentileColumn(99), StatisticColumn.OperationsPerSecond);
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// Work that starts from scratch on every call (compiles): one call per iteration, 15 iterations.
public sealed class OneShotConfig : ManualConfig
{
    public OneShotConfig()
    {
        AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithWarmupCount(3).WithIterationCount(15).InProcess("OneShot"));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.Min, StatisticColumn.Max);
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// Database batches: one batch of sequential operations per iteration, 20 iterations (fsync times vary a lot);
/// the figures are per operation.
public sealed class BatchConfig : ManualConfig
{
    public BatchConfig()
    {
        AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithWarmupCount(3).WithIterationCount(20).InProcess("Batch"));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.Min, StatisticColumn.Max, StatisticColumn.OperationsPerSecond);
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

/// BenchmarkDotNet ships P0 to P100 in fixed steps without P99; this one reads it from the same statistics, in µs.
public sealed class PercentileColumn(int percentile) : IColumn
{
    public string Id => $"{nameof(PercentileColumn)}.P{percentile}";
    public string ColumnName => $"P{percentile} [µs]";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Statistics;
    public int PriorityInCategory => 10;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"Percentile {percentile} of the iteration means, in microseconds";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        summary[benchmarkCase]?.ResultStatistics is { } statistics
            ? (statistics.Percentiles.Percentile(percentile) / 1000).ToString("N2", System.Globalization.CultureInfo.InvariantCulture)
            : "NA";

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

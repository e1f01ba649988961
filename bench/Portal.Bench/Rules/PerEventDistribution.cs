using System.Diagnostics;
using System.Globalization;
using Portal.Core.Rules;

namespace Portal.Bench.Rules;

/// The anchors' method, which BenchmarkDotNet cannot give: each event timed on its own (2,000 events after a
/// warm-up of 500 events, repeated for at least two seconds so that tiered JIT has promoted the hot path,
/// and the whole set measured twice, the second pass reported),
/// so the median and P99 are of single events. It also times the first compile and RulesEngine's
/// first execution in this fresh process, JIT included, as a user meets them after a restart.
public static class PerEventDistribution
{
    private const int WarmUp = 500;
    private const int Measured = 2_000;
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(2);

    public static async Task RunAsync()
    {
        Console.WriteLine($"Per-event run, {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC, load average {LoadAverage()}");
        var workload = RulesWorkload.Create(WarmUp + Measured, seed: 7);

        var started = Stopwatch.GetTimestamp();
        var snapshot = RulesSnapshot.Compile(workload.Document, workload.Schema, version: 1);
        var portalCold = Stopwatch.GetElapsedTime(started);
        started = Stopwatch.GetTimestamp();
        snapshot = RulesSnapshot.Compile(workload.Document, workload.Schema, version: 2);
        var portalWarm = Stopwatch.GetElapsedTime(started);

        var (engine, rulesEngineCold) = await FirstExecutionAsync(workload);
        var (_, rulesEngineWarm) = await FirstExecutionAsync(RulesWorkload.Create(eventCount: 10));

        Console.WriteLine($"Portal compile of 1,000 rules: first in process {Ms(portalCold)} ms, second {Ms(portalWarm)} ms");
        Console.WriteLine($"RulesEngine new engine + first execution of 10 workflows: first in process {Ms(rulesEngineCold)} ms, second {Ms(rulesEngineWarm)} ms");

        var withPlaceholders = RulesSnapshot.Compile(workload.DocumentWithPlaceholders, workload.Schema, version: 3);
        RulesAgreement.Check(workload, snapshot, engine, workload.ExpandoInputs);
        RulesAgreement.Check(workload, withPlaceholders, engine, workload.ExpandoInputs);
        RulesAgreement.Check(workload, snapshot, engine, workload.TypedInputs);
        Console.WriteLine($"Agreement: both engines match the same rules for all {workload.Events.Length} events (2 to 5 each).");

        // Two passes over every engine: the first warms all shared paths (tiered JIT, dynamic PGO, the GC's
        // budgets), so no row pays for running first; only the second is reported.
        List<(string Name, double[] Micros)> rows = [];
        for (var pass = 0; pass < 2; pass++)
        {
            rows =
            [
                ("Portal EvaluateMatches", Time(i => snapshot.EvaluateMatches(workload.Events[i]).Count)),
                ("Portal Evaluate (full trace)", Time(i => snapshot.Evaluate(workload.Events[i]).Matches.Count)),
                ("Portal EvaluateMatches, {{record.Subject}} in the note", Time(i => withPlaceholders.EvaluateMatches(workload.Events[i]).Count)),
                ("Portal Evaluate, {{record.Subject}} in the note", Time(i => withPlaceholders.Evaluate(workload.Events[i]).Matches.Count)),
                ("RulesEngine 6.0.1, ExpandoObject input", await TimeAsync(engine, workload.ExpandoInputs)),
                ("RulesEngine 6.0.1, typed input", await TimeAsync(engine, workload.TypedInputs)),
            ];
        }

        Console.WriteLine();
        Console.WriteLine("| Engine (per single event) | Median [µs] | P95 [µs] | P99 [µs] | Mean [µs] | Max [µs] |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, micros) in rows)
        {
            Array.Sort(micros);
            Console.WriteLine($"| {name} | {F(Percentile(micros, 50))} | {F(Percentile(micros, 95))} | {F(Percentile(micros, 99))} | {F(micros.Average())} | {F(micros[^1])} |");
        }

        Console.WriteLine($"Load average at the end: {LoadAverage()}");
    }

    private static async Task<(RulesEngine.RulesEngine Engine, TimeSpan Elapsed)> FirstExecutionAsync(RulesWorkload workload)
    {
        var started = Stopwatch.GetTimestamp();
        var engine = new RulesEngine.RulesEngine(workload.Workflows);
        for (var w = 0; w < RulesWorkload.Objects.Length; w++)
        {
            await engine.ExecuteAllRulesAsync(RulesWorkload.Objects[w], workload.ExpandoInputs[w]);
        }

        return (engine, Stopwatch.GetElapsedTime(started));
    }

    private static double[] Time(Func<int, int> evaluate)
    {
        var sink = 0;
        var warming = Stopwatch.GetTimestamp();
        do
        {
            for (var i = 0; i < WarmUp; i++)
            {
                sink += evaluate(i);
            }
        }
        while (Stopwatch.GetElapsedTime(warming) < WarmUpTime);

        var micros = new double[Measured];
        for (var i = 0; i < Measured; i++)
        {
            var started = Stopwatch.GetTimestamp();
            sink += evaluate(WarmUp + i);
            micros[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }

        GC.KeepAlive(sink);
        return micros;
    }

    private static async Task<double[]> TimeAsync(RulesEngine.RulesEngine engine, object[] inputs)
    {
        var warming = Stopwatch.GetTimestamp();
        do
        {
            for (var i = 0; i < WarmUp; i++)
            {
                await engine.ExecuteAllRulesAsync(RulesWorkload.EventObject, inputs[i]);
            }
        }
        while (Stopwatch.GetElapsedTime(warming) < WarmUpTime);

        var micros = new double[Measured];
        for (var i = 0; i < Measured; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await engine.ExecuteAllRulesAsync(RulesWorkload.EventObject, inputs[WarmUp + i]);
            micros[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }

        return micros;
    }

    private static double Percentile(double[] sorted, int percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string F(double value) => value.ToString("N2", CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan elapsed) => elapsed.TotalMilliseconds.ToString("N1", CultureInfo.InvariantCulture);

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}

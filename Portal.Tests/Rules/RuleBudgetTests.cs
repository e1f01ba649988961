using Portal.Core.Rules;
using static Portal.Tests.Rules.RuleTestKit;

namespace Portal.Tests.Rules;

public sealed class RuleBudgetTests
{
    // Every reading is a step later than the one before, so each match takes exactly one step.
    private sealed class SteppingStopwatch(TimeSpan step) : TimeProvider
    {
        private long _now;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _now += step.Ticks;
    }

    private static RulesDocument Rules(int count, string pattern, string field = "Subject") =>
        Document("[" + string.Join(",", Enumerable.Range(1, count).Select(i =>
            Rule(name: $"r{i}", conditions: $"[{Condition(field, "matches", System.Text.Json.JsonSerializer.Serialize(pattern))}]"))) + "]", "Costly");

    private static RuleBudget Budget(CancellationToken cancellationToken = default) =>
        new(TimeSpan.FromMilliseconds(100), cancellationToken, new SteppingStopwatch(TimeSpan.FromMilliseconds(30)));

    [Fact]
    public void StopsRunningMatchesConditionsOnceTheBudgetIsSpent()
    {
        var snapshot = Compile(Rules(50, "^a"));
        var budget = Budget();

        var matched = snapshot.EvaluateMatches(Case("Subject", "abc"), budget);

        // 30 ms a match: the fourth reaches 120 ms of the 100, and the other 46 are not run
        Assert.Equal(["r1", "r2", "r3", "r4"], matched.Select(m => m.Rule));
        Assert.Equal((4, 46, 0), (budget.Ran, budget.Skipped, budget.TimedOut));
        Assert.Equal(("Costly", "r4"), budget.SpentAt);
        Assert.Equal(TimeSpan.FromMilliseconds(120), budget.Spent);
    }

    [Fact]
    public void TracesTheConditionsTheBudgetDidNotRun()
    {
        var snapshot = Compile(Rules(6, "^a"));
        var budget = Budget();

        var traces = snapshot.Evaluate(Case("Subject", "abc"), budget).Matches;

        Assert.Equal([true, true, true, true, false, false], traces.Select(t => t.Matched));
        Assert.All(traces.Take(4), t => Assert.Null(Assert.Single(t.Conditions).Error));
        Assert.All(traces.Skip(4), t => Assert.Contains("100 ms budget", Assert.Single(t.Conditions).Error));
        Assert.Equal(("Costly", "r4"), budget.SpentAt);
    }

    [Fact]
    public void ChargesATimedOutMatchItsWholeTimeoutSoOneSpendsTheBudget()
    {
        // backtracking (a backreference), 100 ms each until it times out: before the budget, 50 of them took 5 s
        var snapshot = Compile(Rules(50, "^(a+)+\\1$"));
        var budget = RuleBudget.ForEvent();

        Assert.Empty(snapshot.EvaluateMatches(Case("Subject", new string('a', 40_000) + "!"), budget));

        Assert.Equal((1, 1, 49), (budget.Ran, budget.TimedOut, budget.Skipped));
        Assert.True(budget.Spent >= TimeSpan.FromMilliseconds(100));
        Assert.Equal(("Costly", "r1"), budget.SpentAt);
    }

    [Fact]
    public void StopsAtTheCallersCancellation()
    {
        var snapshot = Compile(Rules(3, "^a"));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => snapshot.Evaluate(Case("Subject", "abc"), Budget(cancelled.Token)));
        Assert.Throws<OperationCanceledException>(() => snapshot.EvaluateMatches(Case("Subject", "abc"), Budget(cancelled.Token)));
        Assert.Throws<OperationCanceledException>(() => RulesSnapshot.Compile(Rules(3, "^a"), Schema, 1, cancelled.Token));
    }

    [Fact]
    public void SpendsNothingOnRulesWithoutMatchesConditions()
    {
        var snapshot = Compile(Document($"[{Rule(name: "plain", conditions: $"[{Condition("Subject", "contains", "\"a\"")}]")}]"));
        var budget = Budget();

        Assert.Single(snapshot.EvaluateMatches(Case("Subject", "abc"), budget));
        Assert.Single(snapshot.Evaluate(Case("Subject", "abc"), budget).Matched);

        Assert.Equal((0, 0), (budget.Ran, budget.Skipped));
        Assert.Null(budget.SpentAt);
    }
}

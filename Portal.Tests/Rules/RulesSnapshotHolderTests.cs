using System.Collections.Concurrent;
using Portal.Core.Rules;
using static Portal.Tests.Rules.RuleTestKit;

namespace Portal.Tests.Rules;

public sealed class RulesSnapshotHolderTests
{
    private static int RuleCountOf(long version) => (int)(version % 7) + 1;

    // Each version has its own number of matching rules, each noting its version, so a result mixing versions shows at once.
    private static RulesSnapshot VersionedSnapshot(int version)
    {
        var rules = Enumerable.Range(0, RuleCountOf(version)).Select(i => Rule(
            name: $"r{i}",
            conditions: $"[{Condition("Priority", "equals", "\"High\"")}]",
            actions: $$$"""[{"type": "addNote", "content": "v{{{version}}} {{record.Subject}}"}]"""));
        return Compile(Document($"[{string.Join(", ", rules)}]"), version);
    }

    [Fact]
    public async Task EvaluatorsAlwaysSeeOneWholeVersionWhileSnapshotsSwap()
    {
        var snapshots = Enumerable.Range(1, 150).Select(VersionedSnapshot).ToArray();
        var holder = new RulesSnapshotHolder(snapshots[0]);
        var e = Case("Priority", "High", "Subject", "Checkout down");
        var failures = new ConcurrentQueue<string>();
        var versionsSeen = new ConcurrentDictionary<long, bool>();
        var done = 0;
        var evaluations = 0L;

        var evaluators = Enumerable.Range(0, 3).Select(_ => Task.Factory.StartNew(() =>
        {
            while (Volatile.Read(ref done) == 0)
            {
                var snapshot = holder.Current;
                var matches = snapshot.EvaluateMatches(e);
                var traced = snapshot.Evaluate(e);
                versionsSeen[snapshot.Version] = true;
                var note = $"v{snapshot.Version} Checkout down";
                var whole = matches.Count == RuleCountOf(snapshot.Version)
                    && traced.Version == snapshot.Version
                    && traced.Matches.Count(t => t.Matched) == matches.Count
                    && matches.All(m => m.Actions.Count == 1 && (string?)m.Actions[0]["content"] == note)
                    && traced.Matched.All(t => t.Actions.Count == 1 && (string?)t.Actions[0]["content"] == note);
                if (!whole)
                {
                    failures.Enqueue($"Version {snapshot.Version}: {matches.Count} matches, {Actions(matches.SelectMany(m => m.Actions))}");
                }

                Interlocked.Increment(ref evaluations);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        var swapper = Task.Factory.StartNew(() =>
        {
            foreach (var snapshot in snapshots.Skip(1))
            {
                // Let the evaluators make some progress on each version, so swaps land between and during evaluations.
                var target = Interlocked.Read(ref evaluations) + 3;
                var deadline = Environment.TickCount64 + 1000;
                while (Interlocked.Read(ref evaluations) < target && Environment.TickCount64 < deadline)
                {
                    Thread.Yield();
                }

                Assert.True(holder.Publish(snapshot));
            }

            Volatile.Write(ref done, 1);
        }, TaskCreationOptions.LongRunning);

        await swapper.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.WhenAll(evaluators).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Empty(failures);
        Assert.True(versionsSeen.Count > 50, $"the evaluators saw only {versionsSeen.Count} versions");
        Assert.Same(snapshots[^1], holder.Current);
    }

    [Fact]
    public void PublishKeepsTheNewerSnapshot()
    {
        var holder = new RulesSnapshotHolder();
        var older = VersionedSnapshot(1);
        var newer = VersionedSnapshot(2);

        Assert.True(holder.Publish(newer));
        Assert.False(holder.Publish(older));
        Assert.Same(newer, holder.Current);
    }

    [Fact]
    public void StartsEmpty()
    {
        var holder = new RulesSnapshotHolder();

        Assert.Empty(holder.Current.EvaluateMatches(Case("Priority", "High")));
        Assert.Empty(holder.Current.Evaluate(Case()).Matches);
    }
}

using Portal.Core.Rules;

namespace Portal.Bench.Rules;

/// Both engines must pick the same rules for every event, or the timings compare different work.
public static class RulesAgreement
{
    public static void Check(RulesWorkload workload, RulesSnapshot snapshot, RulesEngine.RulesEngine engine, object[] inputs)
    {
        for (var i = 0; i < workload.Events.Length; i++)
        {
            var portal = snapshot.EvaluateMatches(workload.Events[i]).Select(m => m.Rule).Order(StringComparer.Ordinal).ToList();
            var traced = snapshot.Evaluate(workload.Events[i]).Matched.Select(m => m.Rule).Order(StringComparer.Ordinal).ToList();
            var results = engine.ExecuteAllRulesAsync(RulesWorkload.EventObject, inputs[i]).AsTask().GetAwaiter().GetResult();
            var failed = results.FirstOrDefault(r => !string.IsNullOrEmpty(r.ExceptionMessage));
            if (failed is not null)
            {
                throw new InvalidOperationException($"RulesEngine failed on rule {failed.Rule.RuleName}: {failed.ExceptionMessage}");
            }

            var microsoft = results.Where(r => r.IsSuccess).Select(r => r.Rule.RuleName).Order(StringComparer.Ordinal).ToList();
            if (!portal.SequenceEqual(microsoft) || !portal.SequenceEqual(traced))
            {
                throw new InvalidOperationException(
                    $"Event {i}: the engines disagree. Portal EvaluateMatches [{string.Join(", ", portal)}], " +
                    $"Portal Evaluate [{string.Join(", ", traced)}], RulesEngine [{string.Join(", ", microsoft)}].");
            }

            if (portal.Count is < 2 or > 5)
            {
                throw new InvalidOperationException($"Event {i} matches {portal.Count} rules; the workload wants 2 to 5.");
            }
        }
    }
}

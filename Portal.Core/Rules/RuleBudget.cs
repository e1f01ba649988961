using System.Text.RegularExpressions;

namespace Portal.Core.Rules;

/// What the `matches` conditions of one evaluation may spend, in time spent matching, and the caller's cancellation.
/// Once the budget is spent the remaining `matches` conditions are not run and read as not matching (as a timed-out
/// one always has), so that a costly rule can neither stall the write it runs in nor keep a dry-run busy; `SpentAt`
/// names the rule whose conditions ran it out. One budget serves one evaluation on one thread.
public sealed class RuleBudget(TimeSpan limit, CancellationToken cancellationToken = default, TimeProvider? stopwatch = null)
{
    /// Per record change or PagerDuty event, live and in the dry-run alike, so that a dry-run shows what live rules do.
    public static readonly TimeSpan PerEvent = TimeSpan.FromMilliseconds(100);

    private readonly TimeProvider _stopwatch = stopwatch ?? TimeProvider.System;

    public TimeSpan Limit => limit;

    public TimeSpan Spent { get; private set; }

    public bool IsSpent => Spent >= limit;

    /// `matches` conditions run, and not run because the budget was spent.
    public int Ran { get; private set; }

    public int Skipped { get; private set; }

    /// `matches` conditions that ran past their own timeout (and read as not matching).
    public int TimedOut { get; private set; }

    public (string Ruleset, string Rule)? SpentAt { get; private set; }

    public static RuleBudget ForEvent(CancellationToken cancellationToken = default) => new(PerEvent, cancellationToken);

    internal bool IsMatch(Regex regex, string input, out string? error)
    {
        cancellationToken.ThrowIfCancellationRequested();
        error = null;
        if (IsSpent)
        {
            Skipped++;
            error = RuleOutcome.BudgetSpent(limit);
            return false;
        }

        Ran++;
        var started = _stopwatch.GetTimestamp();
        bool matched;
        try
        {
            matched = regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            TimedOut++;
            error = RuleOutcome.RegexTimedOut;
            matched = false;
        }

        // a timed-out match has spent at least its timeout, whatever a coarser clock saw
        var took = _stopwatch.GetElapsedTime(started);
        Spent += error is null || took > regex.MatchTimeout ? took : regex.MatchTimeout;
        return matched;
    }

    // Called after each rule that has `matches` conditions: the first rule to find the budget spent is named.
    internal void Note(string ruleset, string rule)
    {
        if (IsSpent) SpentAt ??= (ruleset, rule);
    }
}

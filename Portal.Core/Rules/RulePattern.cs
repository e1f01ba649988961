using System.Text.RegularExpressions;

namespace Portal.Core.Rules;

/// How a `matches` pattern becomes a regular expression, for the validator, the snapshot and the interpreter alike.
public static class RulePattern
{
    public const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    // Longer patterns cost more to build than a dry-run should spend on one (NonBacktracking builds an automaton).
    public const int MaxLength = 1_000;

    // NonBacktracking takes time linear in the input, so `(a+)+$` cannot blow up; the timeout still bounds the
    // constant (its automaton grows as it reads). Patterns it refuses (backreferences, lookarounds, atomic groups,
    // \G, balancing groups, an automaton over its size limit) run on the backtracking engine, bounded by the timeout.
    public static Regex Compile(string pattern)
    {
        try
        {
            return new Regex(pattern, Options | RegexOptions.NonBacktracking, MatchTimeout);
        }
        catch (NotSupportedException)
        {
            return new Regex(pattern, Options, MatchTimeout);
        }
    }

    /// Why the pattern is not a valid .NET regular expression, or null when it is. Parsing is cheap: no automaton.
    public static string? Problem(string pattern)
    {
        try
        {
            _ = new Regex(pattern, Options, MatchTimeout);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}

using System.Text.RegularExpressions;
using Portal.Core.Rules;

namespace Portal.Tests.Rules;

public sealed class RulePatternTests
{
    // A pattern NonBacktracking refuses (backreferences, lookarounds, atomic groups) falls back to backtracking.
    [Theory]
    [InlineData("(a+)+$", true)]
    [InlineData("^(a|aa)+$", true)]
    [InlineData("^check.*DOWN$", true)]
    [InlineData("\\d{3}", true)]
    [InlineData("^(a+)+\\1$", false)]
    [InlineData("(?=a)(a+)+$", false)]
    [InlineData("(?<!x)a", false)]
    [InlineData("(?>a+)b", false)]
    public void CompilesWithoutBacktrackingWhereThePatternAllowsAndWithTheTimeoutAlways(string pattern, bool nonBacktracking)
    {
        var regex = RulePattern.Compile(pattern);

        Assert.Equal(nonBacktracking, regex.Options.HasFlag(RegexOptions.NonBacktracking));
        Assert.True(regex.Options.HasFlag(RegexOptions.IgnoreCase));
        Assert.Equal(TimeSpan.FromMilliseconds(100), regex.MatchTimeout);
    }

    [Fact]
    public void NamesWhatIsWrongWithAnInvalidPattern()
    {
        Assert.Null(RulePattern.Problem("^(a+)+\\1$"));
        Assert.Contains("(unclosed", RulePattern.Problem("(unclosed"));
    }
}

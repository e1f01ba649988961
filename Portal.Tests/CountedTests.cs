using Portal.Core;

namespace Portal.Tests;

public sealed class CountedTests
{
    [Theory]
    [InlineData(0, "0 rules")]
    [InlineData(1, "1 rule")]
    [InlineData(2, "2 rules")]
    [InlineData(1200, "1,200 rules")]
    public void SaysTheNounInTheRightNumber(int count, string expected) => Assert.Equal(expected, Counted.Of(count, "rule"));

    [Fact]
    public void TakesAnIrregularPlural() => Assert.Equal("2 replies", Counted.Of(2, "reply", "replies"));
}

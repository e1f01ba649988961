using Portal.Core.Rules;
using static Portal.Tests.Rules.RuleTestKit;

namespace Portal.Tests.Rules;

public sealed class IncidentTitleTests
{
    [Fact]
    public void JoinsPrefixAndFieldValuesWithSingleSpaces() =>
        Assert.Equal("Case 1001 Checkout down", IncidentTitle.Build("Case", ["CaseNumber", "Subject"], "Case", "r1", Fields("CaseNumber", "1001", "Subject", "Checkout down")));

    [Fact]
    public void SkipsEmptyParts() =>
        Assert.Equal("1001 Checkout", IncidentTitle.Build("", ["CaseNumber", "Priority", "Subject"], "Case", "r1", Fields("CaseNumber", "1001", "Priority", " ", "Subject", "Checkout")));

    [Fact]
    public void NeverHoldsTwoSpacesInARow() =>
        Assert.Equal("Case 1001 Checkout down now", IncidentTitle.Build("Case ", ["CaseNumber", "Subject"], "Case", "r1",
            Fields("CaseNumber", " 1001 ", "Subject", "Checkout  down\n now")));

    [Fact]
    public void TheDefaultTitleHoldsNoTwoSpacesInARowEither() =>
        Assert.Equal("Checkout down", IncidentTitle.Build(null, null, "Case", "r1", Fields("Subject", " Checkout   down ")));

    [Fact]
    public void UsesAtMostThreeFields() =>
        Assert.Equal("P a b c", IncidentTitle.Build("P", ["A", "B", "C", "D"], "X", null, Fields("A", "a", "B", "b", "C", "c", "D", "d")));

    [Fact]
    public void FormatsNonTextValues() =>
        Assert.Equal("Deal 1500.5 true 2026-01-02T03:04:05Z", IncidentTitle.Build("Deal", ["Amount", "IsWon", "CloseDate"], "Opportunity", null,
            Fields("Amount", 1500.5, "IsWon", true, "CloseDate", new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc))));

    [Fact]
    public void CutsAt1024Characters()
    {
        var title = IncidentTitle.Build("Case", ["Subject"], "Case", "r1", Fields("Subject", new string('x', 2000)));

        Assert.Equal(1024, title.Length);
        Assert.StartsWith("Case xxx", title);
    }

    [Fact]
    public void DoesNotSplitASurrogatePairWhenCutting()
    {
        var title = IncidentTitle.Cut(new string('x', 1023) + "😀😀");

        Assert.Equal(1023, title.Length);
    }

    [Fact]
    public void DefaultsToSubjectThenNameThenObjectAndId()
    {
        Assert.Equal("Checkout down", IncidentTitle.Build(null, null, "Case", "r1", Fields("Subject", "Checkout down", "Name", "n")));
        Assert.Equal("Acme deal", IncidentTitle.Build(null, null, "Opportunity", "r1", Fields("Subject", "", "Name", "Acme deal")));
        Assert.Equal("Case r1", IncidentTitle.Build(null, null, "Case", "r1", Fields()));
        Assert.Equal(1024, IncidentTitle.Build(null, null, "Case", "r1", Fields("Subject", new string('s', 1500))).Length);
    }

    [Fact]
    public void FallsBackToTheDefaultWhenTheSpecYieldsNothing() =>
        Assert.Equal("Case r1", IncidentTitle.Build("", ["Subject"], "Case", "r1", Fields()));
}

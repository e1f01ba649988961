using Portal.Core.Rules;
using static Portal.Tests.Rules.RuleTestKit;

namespace Portal.Tests.Rules;

public sealed class ConditionOperatorTests
{
    [Theory]
    [InlineData("equals", "\"High\"", "High", true)]
    [InlineData("equals", "\"high\"", "HIGH", true)]
    [InlineData("equals", "\"High\"", "Low", false)]
    [InlineData("equals", "\"\"", null, true)]
    [InlineData("notEquals", "\"Closed\"", "closed", false)]
    [InlineData("notEquals", "\"Closed\"", "Open", true)]
    [InlineData("contains", "\"DOWN\"", "Checkout down again", true)]
    [InlineData("contains", "\"down\"", "Checkout up", false)]
    [InlineData("notContains", "\"down\"", "Checkout up", true)]
    [InlineData("notContains", "\"down\"", null, true)]
    [InlineData("startsWith", "\"check\"", "Checkout down", true)]
    [InlineData("startsWith", "\"down\"", "Checkout down", false)]
    [InlineData("endsWith", "\"DOWN\"", "Checkout down", true)]
    [InlineData("endsWith", "\"check\"", "Checkout down", false)]
    public void ComparesTextIgnoringCase(string op, string value, string? actual, bool expected) =>
        Assert.Equal(expected, ConditionHolds(Condition("Subject", op, value), Case("Subject", actual)));

    [Theory]
    [InlineData("in", "[\"High\", \"Urgent\"]", "urgent", true)]
    [InlineData("in", "[\"High\", \"Urgent\"]", "Low", false)]
    [InlineData("in", "[]", "Low", false)]
    [InlineData("notIn", "[\"High\", \"Urgent\"]", "HIGH", false)]
    [InlineData("notIn", "[\"High\", \"Urgent\"]", "Low", true)]
    [InlineData("in", "[\"\"]", null, true)]
    public void ChecksListMembershipIgnoringCase(string op, string value, string? actual, bool expected) =>
        Assert.Equal(expected, ConditionHolds(Condition("Priority", op, value), Case("Priority", actual)));

    [Theory]
    [InlineData("[1000, 2000]", 1000L, true)]
    [InlineData("[1000, 2000]", 2000.0, true)]
    [InlineData("[1000.50]", 1000.5, true)]
    [InlineData("[1000, 2000]", 1500L, false)]
    public void ChecksNumbersAgainstLists(string value, object actual, bool expected) =>
        Assert.Equal(expected, ConditionHolds(Condition("Amount", "in", value), Record("Opportunity", "Amount", actual), "Opportunity"));

    [Theory]
    [InlineData("isBlank", null, true)]
    [InlineData("isBlank", "", true)]
    [InlineData("isBlank", "   ", true)]
    [InlineData("isBlank", "x", false)]
    [InlineData("isNotBlank", null, false)]
    [InlineData("isNotBlank", " \t", false)]
    [InlineData("isNotBlank", "x", true)]
    public void TreatsNullEmptyAndWhitespaceAsBlank(string op, string? actual, bool expected) =>
        Assert.Equal(expected, ConditionHolds(Condition("Description", op), Case("Description", actual)));

    [Fact]
    public void TreatsMissingFieldAsBlank() =>
        Assert.True(ConditionHolds(Condition("Description", "isBlank"), Case()));

    [Theory]
    [InlineData("greaterThan", "1000", 1500L, true)]
    [InlineData("greaterThan", "1000", 1000L, false)]
    [InlineData("greaterOrEqual", "1000", 1000L, true)]
    [InlineData("lessThan", "1000", 999.99, true)]
    [InlineData("lessThan", "1000", 1000.0, false)]
    [InlineData("lessOrEqual", "1000", 1000L, true)]
    [InlineData("greaterThan", "\"1000\"", 1500L, true)]
    [InlineData("greaterThan", "10.5", "11", true)]
    [InlineData("greaterThan", "1000", "not a number", false)]
    [InlineData("greaterThan", "1000", null, false)]
    [InlineData("lessThan", "1000", null, false)]
    public void ComparesNumbers(string op, string value, object? actual, bool expected) =>
        Assert.Equal(expected, ConditionHolds(Condition("Amount", op, value), Record("Opportunity", "Amount", actual), "Opportunity"));

    [Fact]
    public void ComparesDecimalsAsNumbers()
    {
        Assert.True(ConditionHolds(Condition("Amount", "greaterThan", "10"), Record("Opportunity", "Amount", 10.01m), "Opportunity"));
        Assert.True(ConditionHolds(Condition("Amount", "equals", "100"), Record("Opportunity", "Amount", 100.00m), "Opportunity"));
    }

    [Theory]
    [InlineData("greaterThan", "\"2026-01-01T00:00:00Z\"", "2026-01-01T00:00:01Z", true)]
    [InlineData("greaterThan", "\"2026-01-01\"", "2025-12-31T23:59:59Z", false)]
    [InlineData("lessThan", "\"2026-01-01T00:00:00+01:00\"", "2025-12-31T22:30:00Z", true)]
    [InlineData("greaterOrEqual", "\"2026-01-01T00:00:00Z\"", "2026-01-01T00:00:00Z", true)]
    [InlineData("lessOrEqual", "\"2026-01-01\"", "2026-01-02T00:00:00Z", false)]
    public void ComparesIsoDates(string op, string value, string actualIso, bool expected)
    {
        var actual = DateTimeOffset.Parse(actualIso, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime;
        Assert.Equal(expected, ConditionHolds(Condition("CloseDate", op, value), Record("Opportunity", "CloseDate", actual), "Opportunity"));
        Assert.Equal(expected, ConditionHolds(Condition("CloseDate", op, value), Record("Opportunity", "CloseDate", actualIso), "Opportunity"));
    }

    [Fact]
    public void EqualsComparesNumbersAndDatesByValue()
    {
        Assert.True(ConditionHolds(Condition("Amount", "equals", "1000"), Record("Opportunity", "Amount", 1000.0), "Opportunity"));
        Assert.True(ConditionHolds(
            Condition("CloseDate", "equals", "\"2026-01-01T01:00:00+01:00\""),
            Record("Opportunity", "CloseDate", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
            "Opportunity"));
        Assert.True(ConditionHolds(Condition("IsWon", "equals", "true"), Record("Opportunity", "IsWon", true), "Opportunity"));
        Assert.True(ConditionHolds(Condition("IsWon", "equals", "\"TRUE\""), Record("Opportunity", "IsWon", true), "Opportunity"));
        Assert.False(ConditionHolds(Condition("IsWon", "equals", "false"), Record("Opportunity", "IsWon", true), "Opportunity"));
    }

    [Theory]
    [InlineData("^check.*DOWN$", "Checkout down", true)]
    [InlineData("\\d{3}", "Error 503", true)]
    [InlineData("\\d{3}", "Error", false)]
    [InlineData("^$", null, true)]
    public void MatchesRegularExpressionsIgnoringCase(string pattern, string? actual, bool expected) =>
        Assert.Equal(expected, ConditionHolds(Condition("Subject", "matches", System.Text.Json.JsonSerializer.Serialize(pattern)), Case("Subject", actual)));

    [Theory]
    [InlineData("^(a+)+$", false)]
    [InlineData("(a+)+!$", true)]
    [InlineData("^(a|aa)+$", false)]
    public void ReadsNestedQuantifiersOnALongValueWithoutTimingOut(string pattern, bool expected)
    {
        var document = Document($"[{Rule(conditions: $"[{Condition("Subject", "matches", System.Text.Json.JsonSerializer.Serialize(pattern))}]")}]");
        var e = Case("Subject", new string('a', 40_000) + "!");

        var condition = Assert.Single(Assert.Single(Evaluate(document, e).Matches).Conditions);

        Assert.Null(condition.Error);
        Assert.Equal(expected, condition.Result);
    }

    [Fact]
    public void TreatsRegexTimeoutAsNoMatchAndSaysSo()
    {
        // a backreference keeps the pattern on the backtracking engine, where only the timeout bounds it
        var document = Document($"[{Rule(conditions: $"[{Condition("Subject", "matches", "\"^(a+)+\\\\1$\"")}]")}]");
        var e = Case("Subject", new string('a', 40_000) + "!");

        var trace = Assert.Single(Evaluate(document, e).Matches);

        Assert.False(trace.Matched);
        var condition = Assert.Single(trace.Conditions);
        Assert.False(condition.Result);
        Assert.Contains("100 ms", condition.Error);
    }

    [Fact]
    public void ChangedHoldsWhenOldAndNewDiffer()
    {
        Assert.True(ConditionHolds(Condition("Status", "changed"), Update(["Status", "New"], ["Status", "Working"])));
        Assert.False(ConditionHolds(Condition("Status", "changed"), Update(["Status", "New"], ["Status", "New"])));
        Assert.True(ConditionHolds(Condition("Status", "changed"), Update([], ["Status", "New"])));
        Assert.False(ConditionHolds(Condition("Status", "changed"), Update([], ["Status", ""])));
    }

    [Fact]
    public void ChangedToHoldsWhenTheNewValueIsTheExpectedOne()
    {
        Assert.True(ConditionHolds(Condition("Status", "changedTo", "\"closed\""), Update(["Status", "New"], ["Status", "Closed"])));
        Assert.False(ConditionHolds(Condition("Status", "changedTo", "\"Closed\""), Update(["Status", "Closed"], ["Status", "Closed"])));
        Assert.False(ConditionHolds(Condition("Status", "changedTo", "\"Closed\""), Update(["Status", "New"], ["Status", "Working"])));
    }

    [Fact]
    public void ChangedFromHoldsWhenTheOldValueIsTheExpectedOne()
    {
        Assert.True(ConditionHolds(Condition("Status", "changedFrom", "\"NEW\""), Update(["Status", "New"], ["Status", "Closed"])));
        Assert.False(ConditionHolds(Condition("Status", "changedFrom", "\"New\""), Update(["Status", "Working"], ["Status", "Closed"])));
    }

    [Theory]
    [InlineData("changed", null)]
    [InlineData("changedTo", "\"Closed\"")]
    [InlineData("changedFrom", "\"\"")]
    public void ChangeOperatorsAreFalseOnInsert(string op, string? value) =>
        Assert.False(ConditionHolds(Condition("Status", op, value), Insert("Status", "Closed")));

    [Fact]
    public void ChangedReportsTheOldValueInTheTrace()
    {
        var document = Document($"[{Rule(conditions: $"[{Condition("Status", "changedTo", "\"Closed\"")}]")}]");

        var condition = Assert.Single(Assert.Single(Evaluate(document, Update(["Status", "New"], ["Status", "Closed"])).Matches).Conditions);

        Assert.Equal(new ConditionTrace("Status", "changedTo", "Closed", "Closed", true) { Previous = "New" }, condition);
    }
}

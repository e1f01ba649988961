using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Portal.Core.Rules;
using static Portal.Tests.Rules.RuleTestKit;

namespace Portal.Tests.Rules;

// EvaluateMatches visits only the rules an equals index can match; these hold it to the full scan and the interpreter.
public sealed class EqualsIndexTests
{
    [Theory]
    [InlineData("HIGH", "high")]
    [InlineData("high", "high")]
    [InlineData("High ", "")]
    [InlineData("LOW", "low")]
    [InlineData("Medium", "")]
    public void TextEqualityThroughTheIndexIgnoresCase(string priority, string rule)
    {
        var document = Document($"[{Rule(name: "high", conditions: $"[{Condition("Priority", "equals", "\"High\"")}]")}, " +
                                $"{Rule(name: "low", conditions: $"[{Condition("Priority", "equals", "\"low\"")}]")}]");

        string[] expected = rule == "" ? [] : [rule];
        Assert.Equal(expected, Matched(document, Case("Priority", priority)));
    }

    [Theory]
    [InlineData("100", true)]
    [InlineData("100.00", false)]
    [InlineData("1E2", false)]
    [InlineData(100L, true)]
    [InlineData(100, true)]
    [InlineData(100.0, true)]
    [InlineData(100.5, false)]
    [InlineData(double.NaN, false)]
    public void NumbersCompareAsAreEqualSaysThroughTheIndex(object actual, bool matches)
    {
        var document = Document($"[{Rule(obj: "Opportunity", conditions: $"[{Condition("Amount", "equals", "100")}]")}]");

        Assert.Equal(matches, Matched(document, Record("Opportunity", "Amount", actual)).Count == 1);
        Assert.Single(Matched(document, Record("Opportunity", "Amount", 100.00m)));
    }

    [Fact]
    public void AnExpectedNumberWrittenWithDecimalsMatchesNumbersAndOnlyTheSameText()
    {
        var document = Document($"[{Rule(obj: "Opportunity", conditions: $"[{Condition("Amount", "equals", "100.00")}]")}]");

        Assert.Single(Matched(document, Record("Opportunity", "Amount", 100m)));
        Assert.Single(Matched(document, Record("Opportunity", "Amount", 100L)));
        Assert.Single(Matched(document, Record("Opportunity", "Amount", "100.00")));
        Assert.Empty(Matched(document, Record("Opportunity", "Amount", "100")));
    }

    [Fact]
    public void ZeroAndNegativeZeroAreOneNumber()
    {
        var document = Document($"[{Rule(obj: "Opportunity", conditions: $"[{Condition("Amount", "equals", "\"-0\"")}]")}]");

        Assert.Single(Matched(document, Record("Opportunity", "Amount", 0L)));
        Assert.Single(Matched(document, Record("Opportunity", "Amount", 0.0)));
        Assert.Single(Matched(document, Record("Opportunity", "Amount", -0.0)));
        Assert.Empty(Matched(document, Record("Opportunity", "Amount", "0")));
    }

    [Fact]
    public void DatesCompareAsInstantsThroughTheIndex()
    {
        var document = Document($"[{Rule(obj: "Opportunity", conditions: $"[{Condition("CloseDate", "equals", "\"2026-01-01T01:00:00+01:00\"")}]")}]");
        var instant = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        Assert.Single(Matched(document, Record("Opportunity", "CloseDate", instant)));
        Assert.Single(Matched(document, Record("Opportunity", "CloseDate", new DateTimeOffset(2026, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)))));
        Assert.Single(Matched(document, Record("Opportunity", "CloseDate", "2026-01-01t01:00:00+01:00")));
        Assert.Empty(Matched(document, Record("Opportunity", "CloseDate", "2026-01-01T00:00:00Z")));
        Assert.Empty(Matched(document, Record("Opportunity", "CloseDate", instant.AddSeconds(1))));
    }

    [Fact]
    public void BooleansAndMissingValuesCompareAsText()
    {
        var won = Document($"[{Rule(obj: "Opportunity", conditions: $"[{Condition("IsWon", "equals", "true")}]")}]");
        var blank = Document($"[{Rule(obj: "Opportunity", conditions: $"[{Condition("Name", "equals", "\"\"")}]")}]");

        Assert.Single(Matched(won, Record("Opportunity", "IsWon", true)));
        Assert.Single(Matched(won, Record("Opportunity", "IsWon", "TRUE")));
        Assert.Empty(Matched(won, Record("Opportunity", "IsWon", false)));
        Assert.Empty(Matched(won, Record("Opportunity")));
        Assert.Single(Matched(blank, Record("Opportunity")));
        Assert.Single(Matched(blank, Record("Opportunity", "Name", null)));
    }

    [Fact]
    public void AnAnyRuleOfEqualsOnOneFieldIsFiledUnderEachValue()
    {
        var document = Document($"[{Rule(name: "either", when: "any", conditions: $"[{Condition("Priority", "equals", "\"P1\"")}, {Condition("Priority", "equals", "\"p2\"")}]")}, " +
                                $"{Rule(name: "mixed", when: "any", conditions: $"[{Condition("Priority", "equals", "\"P3\"")}, {Condition("Status", "equals", "\"New\"")}]")}]");

        Assert.Equal(["either"], Matched(document, Case("Priority", "P2")));
        Assert.Equal(["either", "mixed"], Matched(document, Case("Priority", "p1", "Status", "new")));
        Assert.Equal(["mixed"], Matched(document, Case("Priority", "P3")));
        Assert.Empty(Matched(document, Case("Priority", "P4")));
    }

    [Fact]
    public void MatchesKeepDocumentOrderAcrossIndexedAndUnindexedRules()
    {
        var high = Condition("Priority", "equals", "\"High\"");
        var document = RulesDocumentJson.Parse($$"""
            {"schemaVersion": 1, "rulesets": [
              {"name": "A", "enabled": true, "rules": [
                {{Rule(name: "a1", conditions: $"[{high}]")}},
                {{Rule(name: "a2", when: "any", conditions: $"[{Condition("Status", "equals", "\"New\"")}, {Condition("Subject", "contains", "\"x\"")}]")}},
                {{Rule(name: "a3", conditions: $"[{Condition("Status", "equals", "\"New\"")}, {high}]")}},
                {{Rule(name: "a4", conditions: $"[{Condition("Priority", "equals", "\"Low\"")}]")}}]},
              {"name": "B", "enabled": true, "rules": [{{Rule(name: "b1", conditions: $"[{high}]")}}, {{Rule(name: "b2")}}]}]}
            """);

        Assert.Equal(["a1", "a2", "a3", "b1", "b2"], Matched(document, Case("Priority", "HIGH", "Status", "New")));
    }

    [Fact]
    public void ManyRulesSpanSeveralMaskWordsInOrder()
    {
        var rules = Enumerable.Range(0, 150).Select(i => Rule(
            name: $"r{i:D3}",
            conditions: i % 10 == 9 ? "[]" : $"[{Condition("Priority", "equals", $"\"P{i % 7}\"")}, {Condition("Subject", "contains", $"\"{i % 3}\"")}]"));
        var document = Document($"[{string.Join(", ", rules)}]");

        var matched = Matched(document, Case("Priority", "p3", "Subject", "12"));

        Assert.Equal(
            Enumerable.Range(0, 150).Where(i => i % 10 == 9 || (i % 7 == 3 && i % 3 is 1 or 2)).Select(i => $"r{i:D3}"),
            matched);
    }

    private static readonly string[] RecordFields = ["Subject", "Status", "Priority"];

    private static readonly Gen<JsonElement> Expected = Gen.OneOf<JsonElement>(
        Gen.OneOf("High", "HIGH", "high", "Low", "", "100", "100.00", "1E2", "-0", "true", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00", "2026-01-01")
            .Select(t => JsonSerializer.SerializeToElement(t)),
        Gen.OneOf(100L, 0L, 5L).Select(n => JsonSerializer.SerializeToElement(n)),
        Gen.OneOf(100.0, 100.5, -0.0).Select(n => JsonSerializer.SerializeToElement(n)),
        Gen.Bool.Select(b => JsonSerializer.SerializeToElement(b)));

    private static readonly Gen<object?> Actual = Gen.OneOf<object?>(
        Gen.OneOf("High", "high", "hIGH", "Low", "", " ", "100", "100.00", "1E2", "0", "TRUE", "2026-01-01T00:00:00Z", "2026-01-01t01:00:00+01:00")
            .Select(t => (object?)t),
        Gen.OneOf<object?>(100L, 5L, 0L, 100, 100.0, 100.5, -0.0, 0.0, double.NaN, double.PositiveInfinity, 100m, 100.00m, 5.0m, 100f),
        Gen.OneOf<object?>(
            new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            new DateTimeOffset(2026, 1, 1, 3, 0, 0, TimeSpan.FromHours(3)),
            new DateTime(2026, 1, 1, 0, 0, 1, DateTimeKind.Utc)),
        Gen.Bool.Select(b => (object?)b),
        Gen.Const(0).Select(_ => (object?)null));

    private static readonly Gen<RuleCondition> ConditionGen = Gen.Frequency(
        (6, from field in Gen.OneOf(RecordFields)
            from value in Expected
            select new RuleCondition { Field = field, Operator = RuleOperators.EqualTo, Value = value }),
        (1, from field in Gen.OneOf(RecordFields)
            from op in Gen.OneOf(RuleOperators.NotEquals, RuleOperators.Contains, RuleOperators.ChangedTo)
            from value in Expected
            select new RuleCondition { Field = field, Operator = op, Value = value }),
        (1, from field in Gen.OneOf([.. RecordFields, "pd.priority", "pd.urgency"])
            from value in Gen.OneOf(5L, 100L).Select(n => JsonSerializer.SerializeToElement(n))
            select new RuleCondition { Field = field, Operator = RuleOperators.GreaterThan, Value = value }),
        // a closed set (urgency, business hours) takes only its values, in any case, or blank
        (1, from pair in Gen.OneOf(("pd.priority", "P1"), ("pd.priority", "p1"), ("pd.priority", "high"), ("pd.priority", ""), ("pd.urgency", "high"),
                ("pd.urgency", "HIGH"), ("pd.urgency", ""), (RuleFields.BusinessHours, "true"), (RuleFields.BusinessHours, "FALSE"))
            select new RuleCondition { Field = pair.Item1, Operator = RuleOperators.EqualTo, Value = JsonSerializer.SerializeToElement(pair.Item2) }));

    private static readonly Gen<Rule> RuleGen =
        from obj in Gen.OneOf("Case", "Incident")
        from isPagerDutyRule in Gen.Frequency((4, Gen.Const(false)), (1, Gen.Const(true)))
        from any in Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true)))
        from newOnly in Gen.Frequency((5, Gen.Const(false)), (1, Gen.Const(true)))
        from conditions in ConditionGen.Array[0, 3]
        select new Rule
        {
            Object = obj,
            RunOn = isPagerDutyRule ? RuleRunOn.PagerDutyIncidentCreateOrUpdate : RuleRunOn.RecordCreateOrUpdate,
            When = any ? RuleWhen.Any : RuleWhen.All,
            ExecuteFor = newOnly ? RuleExecuteFor.NewOnly : RuleExecuteFor.AllLinked,
            Conditions = conditions,
        };

    private static readonly Gen<RulesDocument> DocumentGen =
        from rulesets in RuleGen.Array[0, 80].Array[1, 3]
        from enabled in Gen.Frequency((5, Gen.Const(true)), (1, Gen.Const(false))).Array[3]
        select new RulesDocument
        {
            Rulesets = [.. rulesets.Select((rules, s) => new Ruleset
            {
                Name = $"s{s}",
                Enabled = enabled[s],
                Rules = [.. rules.Select((rule, i) => rule with
                {
                    Name = $"r{i}",
                    Actions =
                    [
                        rule.RunOn == RuleRunOn.RecordCreateOrUpdate
                            ? new JsonObject { ["type"] = "addNote", ["content"] = $"{{{{record.Subject}}}} by r{i}" }
                            : new JsonObject { ["type"] = "setField", ["field"] = "Status", ["value"] = $"{{{{record.Priority}}}} by r{i}" },
                    ],
                })],
            })],
        };

    private static readonly Gen<IReadOnlyDictionary<string, object?>> RecordGen =
        from values in Actual.Array[RecordFields.Length]
        from present in Gen.Frequency((4, Gen.Const(true)), (1, Gen.Const(false))).Array[RecordFields.Length]
        select (IReadOnlyDictionary<string, object?>)RecordFields.Index()
            .Where(field => present[field.Index])
            .ToDictionary(field => field.Item, field => values[field.Index]);

    private static readonly Gen<RuleEvent> EventGen = Gen.OneOf(
        from obj in Gen.OneOf("Case", "Incident")
        from isInsert in Gen.Bool
        from oldFields in RecordGen
        from newFields in RecordGen
        from priority in Gen.OneOf("P1", "p1", "P2", "")
        from hours in Gen.Bool
        select RuleEvent.ForRecord(obj, isInsert, isInsert ? null : oldFields, newFields, "rec-1", new PagerDutyFacts { Priority = priority, Urgency = "HIGH" }, hours),
        from linked in RecordGen
        from eventType in Gen.OneOf("trigger", "resolve")
        from priority in Gen.OneOf("P1", "5", "")
        select RuleEvent.ForPagerDuty(
            new PagerDutyFacts { EventType = eventType, Priority = priority },
            new Dictionary<string, IReadOnlyDictionary<string, object?>> { ["Case"] = linked }));

    [Fact]
    public void IndexedEvaluationAgreesWithTheFullScanAndTheInterpreter()
    {
        var matched = 0;
        Gen.Select(DocumentGen, EventGen.Array[10]).Sample((document, events) =>
        {
            var indexed = RulesSnapshot.Compile(document, Schema, 1);
            var scanned = RulesSnapshot.Compile(document, Schema, 1, indexEquals: false);
            foreach (var e in events)
            {
                var fast = Lines(indexed.EvaluateMatches(e));
                matched += indexed.EvaluateMatches(e).Count;
                Assert.Equal(Lines(scanned.EvaluateMatches(e)), fast);
                Assert.Equal(
                    RulesInterpreter.Evaluate(document, e).Matched.Select(t => $"{t.Ruleset}/{t.Rule}:{Actions(t.Actions)}"),
                    fast);
            }
        }, iter: 400, threads: 1, print: sample => RulesDocumentJson.Serialize(sample.Item1));

        Assert.True(matched > 2000, $"only {matched} matches: the generator hardly exercises the index");
    }

    private static IEnumerable<string> Lines(IReadOnlyList<MatchedRule> matches) =>
        matches.Select(m => $"{m.Ruleset}/{m.Rule}:{Actions(m.Actions)}").ToList();

    // The indexed fast path, after checking it against the unindexed snapshot, the traced path and the interpreter.
    private static List<string> Matched(RulesDocument document, RuleEvent e)
    {
        var traced = Evaluate(document, e);
        var fast = Compile(document).EvaluateMatches(e);
        var scanned = RulesSnapshot.Compile(document, Schema, 1, indexEquals: false).EvaluateMatches(e);
        Assert.Equal(scanned.Select(m => m.Rule), fast.Select(m => m.Rule));
        Assert.Equal(traced.Matched.Select(t => t.Rule), fast.Select(m => m.Rule));
        return [.. fast.Select(m => m.Rule)];
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Portal.Core.Rules;
using static Portal.Tests.Rules.RuleTestKit;

namespace Portal.Tests.Rules;

public sealed class SnapshotMatchesInterpreterTests
{
    private static readonly string[] Objects = ["Case", "Incident"];
    private static readonly string[] RecordFields = ["Subject", "Status", "Priority", "Description"];
    private static readonly string[] SpecialFields = [.. RuleFields.PagerDuty, RuleFields.BusinessHours];
    private static readonly string[] Texts = ["High", "high", "Low", "", " ", "Closed", "New", "12", "5", "2026-01-01T00:00:00Z", "trigger"];
    private static readonly string[] Patterns = ["^h", "IGH$", "[0-9]+", "^$", "o", "^(trigger|reopen)$"];
    private static readonly string[] Placeholders =
        ["{{record.Subject}}", "{{record.Priority}}", "{{pd.incidentId}}", "{{pd.incidentNumber}}", "{{pd.urgency}}", "{{pd.eventType}}", "{{pd.nope}}", "plain"];

    private static readonly Gen<JsonElement> Scalar = Gen.OneOf<JsonElement>(
        Gen.OneOf(Texts).Select(t => JsonSerializer.SerializeToElement(t)),
        Gen.OneOf(5L, 12L, -1L, 1000L).Select(n => JsonSerializer.SerializeToElement(n)),
        Gen.OneOf(10.5, 0.25).Select(n => JsonSerializer.SerializeToElement(n)),
        Gen.Bool.Select(b => JsonSerializer.SerializeToElement(b)));

    private static readonly Gen<JsonElement> Ordered = Gen.OneOf<JsonElement>(
        Gen.OneOf(5L, 12L, 1000L, -3L).Select(n => JsonSerializer.SerializeToElement(n)),
        Gen.OneOf("2026-01-01T00:00:00Z", "2025-06-01", "7.5").Select(t => JsonSerializer.SerializeToElement(t)));

    private static readonly Gen<object?> FieldValue = Gen.OneOf<object?>(
        Gen.OneOf(Texts).Select(t => (object?)t),
        Gen.OneOf(5L, 12L, 1000L).Select(n => (object?)n),
        Gen.OneOf(10.5, 5.0).Select(n => (object?)n),
        Gen.Const<object?>(12.0m),
        Gen.Bool.Select(b => (object?)b),
        Gen.Const<object?>(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
        Gen.Const(0).Select(_ => (object?)null));

    // Change operators apply only to record fields, so a special field swaps them for equals.
    private static readonly Gen<RuleCondition> LeafGen =
        from field in Gen.OneOf([.. RecordFields, .. SpecialFields])
        from op in Gen.OneOf([.. RuleOperators.All])
        let isRecordField = RecordFields.Contains(field)
        let safeOp = RuleOperators.IsChange(op) && !isRecordField ? RuleOperators.EqualTo : op
        from value in ValueFor(field, safeOp)
        select new RuleCondition { Field = field, Operator = safeOp, Value = value };

    // Groups nested up to the three levels the contract allows, each of one to three conditions.
    private static Gen<RuleCondition> GroupOf(Gen<RuleCondition> inner) =>
        from any in Gen.Bool
        from conditions in inner.Array[1, 3]
        select RuleCondition.Group(any ? RuleWhen.Any : RuleWhen.All, conditions);

    private static readonly Gen<RuleCondition> Level3 = GroupOf(LeafGen);
    private static readonly Gen<RuleCondition> Level2 = GroupOf(Gen.Frequency((3, LeafGen), (1, Level3)));
    private static readonly Gen<RuleCondition> Level1 = GroupOf(Gen.Frequency((3, LeafGen), (1, Level2)));

    private static readonly Gen<RuleCondition> ConditionGen = Gen.Frequency((6, LeafGen), (2, Level1));

    private static Gen<JsonElement?> ValueFor(string field, string op)
    {
        // a field with a closed set (event types, statuses, urgencies, business hours) takes only its values (in any case)
        // and blank where whole values are compared: anything else is refused at save
        if (RuleFields.ComparesWholeValues(op) && RuleFields.ClosedSet(field, null) is var (values, _))
        {
            var closed = Gen.OneOf<string>([.. values, .. values.Select(v => v.ToUpperInvariant()), ""]).Select(v => JsonSerializer.SerializeToElement(v));
            return RuleOperators.TakesList(op)
                ? closed.Array[0, 3].Select(items => (JsonElement?)JsonSerializer.SerializeToElement(items))
                : closed.Select(v => (JsonElement?)v);
        }

        if (RuleOperators.TakesNoValue(op))
        {
            return Gen.Const((JsonElement?)null);
        }

        if (RuleOperators.TakesList(op))
        {
            return Scalar.Array[0, 3].Select(items => (JsonElement?)JsonSerializer.SerializeToElement(items));
        }

        if (RuleOperators.IsOrdering(op))
        {
            return Ordered.Select(v => (JsonElement?)v);
        }

        return op == RuleOperators.Matches
            ? Gen.OneOf(Patterns).Select(p => (JsonElement?)JsonSerializer.SerializeToElement(p))
            : Scalar.Select(v => (JsonElement?)v);
    }

    private static Gen<JsonObject> ActionGen(bool isPagerDutyRule, string obj) =>
        from kind in Gen.Int[0, 2]
        from text in Gen.OneOf(Placeholders).Array[1, 3].Select(parts => string.Join(" ", parts))
        from titleFields in Gen.OneOf(RecordFields).Array[0, 3]
        from withTitle in Gen.Bool
        select isPagerDutyRule
            ? kind == 0
                ? new JsonObject { ["type"] = "setField", ["field"] = "Status", ["value"] = text }
                : new JsonObject { ["type"] = "createRecord", ["fields"] = new JsonObject { ["Subject"] = text, ["Priority"] = 3 } }
            : kind switch
            {
                0 => new JsonObject { ["type"] = "addNote", ["content"] = text },
                1 => new JsonObject { ["type"] = "resolveIncident", ["resolution"] = text, ["extra"] = new JsonArray(text, 1) },
                _ when withTitle => new JsonObject
                {
                    ["type"] = "createIncident", ["serviceId"] = "PSVC",
                    ["title"] = new JsonObject { ["prefix"] = text, ["fields"] = new JsonArray([.. titleFields.Select(f => (JsonNode?)f)]) },
                },
                _ => new JsonObject { ["type"] = "createIncident", ["serviceId"] = "PSVC", ["details"] = new JsonObject { ["note"] = text } },
            };

    private static Gen<Rule> RuleGen(int index) =>
        from obj in Gen.OneOf(Objects)
        from isPagerDutyRule in Gen.Frequency((2, Gen.Const(false)), (1, Gen.Const(true)))
        from any in Gen.Bool
        from newOnly in Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true)))
        from conditions in ConditionGen.Array[0, 4]
        from actions in ActionGen(isPagerDutyRule, obj).Array[0, 2]
        select new Rule
        {
            Name = $"r{index}",
            Object = obj,
            RunOn = isPagerDutyRule ? RuleRunOn.PagerDutyIncidentCreateOrUpdate : RuleRunOn.RecordCreateOrUpdate,
            When = any ? RuleWhen.Any : RuleWhen.All,
            ExecuteFor = newOnly ? RuleExecuteFor.NewOnly : RuleExecuteFor.AllLinked,
            Conditions = conditions,
            Actions = actions,
        };

    private static Gen<Ruleset> RulesetGen(int index) =>
        from enabled in Gen.Frequency((4, Gen.Const(true)), (1, Gen.Const(false)))
        from count in Gen.Int[0, 5]
        from rules in Gen.Const(0).SelectMany(_ => Sequence(Enumerable.Range(0, count).Select(RuleGen).ToArray()))
        select new Ruleset { Name = $"s{index}", Enabled = enabled, Rules = rules };

    private static readonly Gen<RulesDocument> DocumentGen =
        from count in Gen.Int[1, 3]
        from rulesets in Gen.Const(0).SelectMany(_ => Sequence(Enumerable.Range(0, count).Select(RulesetGen).ToArray()))
        select new RulesDocument { Rulesets = rulesets };

    private static readonly Gen<IReadOnlyDictionary<string, object?>> RecordGen =
        FieldValue.Array[RecordFields.Length].SelectMany(values =>
            Gen.Bool.Array[RecordFields.Length].Select(present =>
            {
                var fields = new Dictionary<string, object?>();
                for (var i = 0; i < RecordFields.Length; i++)
                {
                    if (present[i])
                    {
                        fields[RecordFields[i]] = values[i];
                    }
                }

                return (IReadOnlyDictionary<string, object?>)fields;
            }));

    private static readonly Gen<PagerDutyFacts> FactsGen =
        from eventType in Gen.OneOf([.. PagerDutyEventTypes.ShortForms, "trigger", "trigger"])
        from texts in Gen.OneOf(Texts).Array[6]
        from number in Gen.Int[1, 99]
        select new PagerDutyFacts
        {
            EventType = eventType, IncidentId = "Q" + number, IncidentNumber = number, IncidentUrl = "https://pd/" + number,
            IncidentTitle = texts[0], IncidentStatus = texts[1], ServiceId = texts[2], ServiceName = texts[3],
            Priority = texts[4], Urgency = texts[5], EscalationPolicyId = "PEP", EscalationPolicyName = texts[0],
        };

    private static readonly Gen<RuleEvent> EventGen = Gen.OneOf(
        from obj in Gen.OneOf(Objects)
        from isInsert in Gen.Bool
        from oldFields in RecordGen
        from newFields in RecordGen
        from hasIncident in Gen.Bool
        from facts in FactsGen
        from hours in Gen.Bool
        select RuleEvent.ForRecord(obj, isInsert, isInsert ? null : oldFields, newFields, "rec-7", hasIncident ? facts : null, hours),
        from facts in FactsGen
        from linkedCase in RecordGen
        from linkedIncident in RecordGen
        from which in Gen.Int[0, 3]
        from hours in Gen.Bool
        select RuleEvent.ForPagerDuty(facts, Linked(which, linkedCase, linkedIncident), hours));

    [Fact]
    public void CompiledSnapshotAgreesWithTheInterpreter()
    {
        int matched = 0, unmatched = 0, skipped = 0;
        Gen.Select(DocumentGen, EventGen.Array[8]).Sample((document, events) =>
        {
            var snapshot = RulesSnapshot.Compile(document, Schema, 3);
            foreach (var e in events)
            {
                var oracle = RulesInterpreter.Evaluate(document, e, 3);
                var traced = snapshot.Evaluate(e);
                var fast = snapshot.EvaluateMatches(e);
                matched += fast.Count;
                unmatched += traced.Matches.Count(t => !t.Matched && t.SkippedReason is null);
                skipped += traced.Matches.Count(t => t.SkippedReason is not null);

                Assert.Equal(Describe(oracle), Describe(traced));
                Assert.Equal(
                    oracle.Matched.Select(t => $"{t.Ruleset}/{t.Rule}:{Actions(t.Actions)}"),
                    fast.Select(m => $"{m.Ruleset}/{m.Rule}:{Actions(m.Actions)}"));
            }
        }, iter: 1500, threads: 1, print: sample => RulesDocumentJson.Serialize(sample.Item1));

        // A generator that never matches, or always does, would make the comparison vacuous.
        Assert.True(matched > 1000 && unmatched > 1000 && skipped > 100, $"matched {matched}, unmatched {unmatched}, skipped {skipped}");
    }

    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> Linked(
        int which, IReadOnlyDictionary<string, object?> linkedCase, IReadOnlyDictionary<string, object?> linkedIncident)
    {
        var linked = new Dictionary<string, IReadOnlyDictionary<string, object?>>();
        if ((which & 1) != 0)
        {
            linked["Case"] = linkedCase;
        }

        if ((which & 2) != 0)
        {
            linked["Incident"] = linkedIncident;
        }

        return linked;
    }

    private static Gen<IReadOnlyList<T>> Sequence<T>(Gen<T>[] gens) =>
        gens.Aggregate(
            Gen.Const<IReadOnlyList<T>>([]),
            (acc, gen) => acc.SelectMany(list => gen.Select(item => (IReadOnlyList<T>)[.. list, item])));
}

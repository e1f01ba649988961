using Portal.Core.Rules;
using static Portal.Tests.Rules.RuleTestKit;

namespace Portal.Tests.Rules;

public sealed class RuleEvaluationTests
{
    private static readonly string HighPriority = Condition("Priority", "equals", "\"High\"");
    private static readonly string NotClosed = Condition("Status", "notEquals", "\"Closed\"");

    [Fact]
    public void MatchesWhenAllConditionsHold()
    {
        var document = Document($"[{Rule(when: "all", conditions: $"[{HighPriority}, {NotClosed}]")}]");

        Assert.True(Assert.Single(Evaluate(document, Case("Priority", "High", "Status", "New")).Matches).Matched);
        Assert.False(Assert.Single(Evaluate(document, Case("Priority", "High", "Status", "Closed")).Matches).Matched);
    }

    [Fact]
    public void MatchesWhenAnyConditionHolds()
    {
        var document = Document($"[{Rule(when: "any", conditions: $"[{HighPriority}, {NotClosed}]")}]");

        Assert.True(Assert.Single(Evaluate(document, Case("Priority", "Low", "Status", "New")).Matches).Matched);
        Assert.False(Assert.Single(Evaluate(document, Case("Priority", "Low", "Status", "Closed")).Matches).Matched);
    }

    [Theory]
    [InlineData("all")]
    [InlineData("any")]
    public void MatchesWhenThereAreNoConditions(string when)
    {
        var document = Document($"[{Rule(when: when)}]");

        Assert.True(Assert.Single(Evaluate(document, Case()).Matches).Matched);
    }

    [Fact]
    public void TracesEveryConditionWithExpectedAndActualValues()
    {
        var document = Document($"[{Rule(conditions: $"[{HighPriority}, {NotClosed}]")}]");

        var trace = Assert.Single(Evaluate(document, Case("Priority", "Low", "Status", "New")).Matches);

        Assert.Equal(
            [new ConditionTrace("Priority", "equals", "High", "Low", false), new ConditionTrace("Status", "notEquals", "Closed", "New", true)],
            trace.Conditions);
        Assert.Empty(trace.Actions);
    }

    [Fact]
    public void ListsOnlyRulesForTheEventsObjectAndTriggerInDocumentOrder()
    {
        var document = RulesDocumentJson.Parse($$"""
            {"schemaVersion": 1, "rulesets": [
              {"name": "A", "enabled": true, "rules": [
                {{Rule(name: "a1")}}, {{Rule(name: "a2", obj: "Incident")}}, {{Rule(name: "a3", runOn: RuleRunOn.PagerDutyIncidentCreateOrUpdate)}}, {{Rule(name: "a4")}}]},
              {"name": "Off", "enabled": false, "rules": [{{Rule(name: "o1")}}]},
              {"name": "B", "enabled": true, "rules": [{{Rule(name: "b1")}}]}]}
            """);

        var result = Evaluate(document, Case());

        Assert.Equal(["A/a1", "A/a4", "B/b1"], result.Matches.Select(t => $"{t.Ruleset}/{t.Rule}"));
        Assert.Empty(Evaluate(document, Record("Opportunity")).Matches);
    }

    [Fact]
    public void NewOnlyRunsForInsertedRecords()
    {
        var document = Document($"[{Rule(executeFor: "newOnly")}]");

        Assert.True(Assert.Single(Evaluate(document, Insert("Subject", "x")).Matches).Matched);

        var skipped = Assert.Single(Evaluate(document, Case("Subject", "x")).Matches);
        Assert.False(skipped.Matched);
        Assert.Equal("executeFor is newOnly and the record was not just created.", skipped.SkippedReason);
        Assert.Empty(skipped.Conditions);
    }

    [Fact]
    public void NewOnlyRunsForTriggeredIncidentsOnly()
    {
        var document = Document($"[{Rule(runOn: RuleRunOn.PagerDutyIncidentCreateOrUpdate, executeFor: "newOnly", actions: """[{"type": "setField", "field": "Status", "value": "New"}]""")}]");

        Assert.True(Assert.Single(Evaluate(document, RuleEvent.ForPagerDuty(new PagerDutyFacts { EventType = "trigger" })).Matches).Matched);

        var skipped = Assert.Single(Evaluate(document, RuleEvent.ForPagerDuty(new PagerDutyFacts { EventType = "acknowledge" })).Matches);
        Assert.False(skipped.Matched);
        Assert.Equal("executeFor is newOnly and the event is 'acknowledge', not 'trigger'.", skipped.SkippedReason);
    }

    [Fact]
    public void RecordRulesReadTheLinkedIncidentThroughPdFields()
    {
        var document = Document($"[{Rule(conditions: $"[{Condition("pd.urgency", "equals", "\"high\"")}, {Condition("pd.service", "equals", "\"PSVC\"")}]")}]");
        var incident = new PagerDutyFacts { Urgency = "HIGH", ServiceId = "psvc" };

        var linked = RuleEvent.ForRecord("Case", false, null, Fields("Subject", "x"), "rec-1", incident);
        var unlinked = RuleEvent.ForRecord("Case", false, null, Fields("Subject", "x"), "rec-1");

        Assert.True(Assert.Single(Evaluate(document, linked).Matches).Matched);
        var trace = Assert.Single(Evaluate(document, unlinked).Matches);
        Assert.False(trace.Matched);
        Assert.All(trace.Conditions, c => Assert.Equal("", c.Actual));
    }

    [Fact]
    public void IncidentRulesReadTheLinkedRecordOfTheirObject()
    {
        var document = Document($"[{Rule(runOn: RuleRunOn.PagerDutyIncidentCreateOrUpdate, conditions: $"[{Condition("Priority", "equals", "\"High\"")}, {Condition("pd.eventType", "in", "[\"trigger\", \"reopen\"]")}]")}]");
        var incident = new PagerDutyFacts { EventType = "reopen" };

        var withCase = RuleEvent.ForPagerDuty(incident, new Dictionary<string, IReadOnlyDictionary<string, object?>> { ["Case"] = Fields("Priority", "high") });
        var withIncidentRecordOnly = RuleEvent.ForPagerDuty(incident, new Dictionary<string, IReadOnlyDictionary<string, object?>> { ["Incident"] = Fields("Priority", "High") });

        Assert.True(Assert.Single(Evaluate(document, withCase).Matches).Matched);
        Assert.False(Assert.Single(Evaluate(document, withIncidentRecordOnly).Matches).Matched);
        Assert.False(Assert.Single(Evaluate(document, RuleEvent.ForPagerDuty(incident)).Matches).Matched);
    }

    [Fact]
    public void ChangeOperatorsNeverHoldForPagerDutyEvents()
    {
        var document = Document($"[{Rule(runOn: RuleRunOn.PagerDutyIncidentCreateOrUpdate, conditions: $"[{Condition("Status", "changed")}]")}]");
        var e = RuleEvent.ForPagerDuty(new PagerDutyFacts(), new Dictionary<string, IReadOnlyDictionary<string, object?>> { ["Case"] = Fields("Status", "New") });

        Assert.False(Assert.Single(Evaluate(document, e).Matches).Matched);
    }

    [Theory]
    [InlineData(true, "\"true\"", true)]
    [InlineData(false, "\"true\"", false)]
    [InlineData(false, "false", true)]
    public void BusinessHoursFieldComparesTrueOrFalse(bool isBusinessHours, string value, bool expected)
    {
        var document = Document($"[{Rule(conditions: $"[{Condition("time.businessHours", "equals", value)}]")}]");
        var e = RuleEvent.ForRecord("Case", false, null, Fields(), isBusinessHours: isBusinessHours);

        Assert.Equal(expected, Assert.Single(Evaluate(document, e).Matches).Matched);
    }

    [Fact]
    public void AllPdFieldsReadTheirFacts()
    {
        var facts = new PagerDutyFacts
        {
            EventType = "trigger", IncidentTitle = "Checkout down", IncidentStatus = "triggered", ServiceId = "PSVC",
            ServiceName = "Checkout", EscalationPolicyId = "PEP", EscalationPolicyName = "Ops", Priority = "P1", Urgency = "high",
        };
        string[] expected = ["trigger", "Checkout down", "triggered", "PSVC", "Checkout", "PEP", "Ops", "P1", "high"];
        var conditions = string.Join(", ", RuleFields.PagerDuty.Select((field, i) => Condition(field, "equals", $"\"{expected[i]}\"")));
        var document = Document($"[{Rule(runOn: RuleRunOn.PagerDutyIncidentCreateOrUpdate, conditions: $"[{conditions}]")}]");

        var trace = Assert.Single(Evaluate(document, RuleEvent.ForPagerDuty(facts)).Matches);

        Assert.True(trace.Matched);
        Assert.Equal(expected, trace.Conditions.Select(c => c.Actual));
    }

    [Fact]
    public void FillsPlaceholdersInMatchedActions()
    {
        var actions = """
            [{"type": "addNote", "content": "Case {{record.CaseNumber}} ({{record.Priority}}) on {{pd.incidentNumber}} {{pd.incidentId}} {{pd.incidentUrl}} {{pd.incidentTitle}} {{pd.incidentStatus}} {{pd.urgency}} {{pd.priority}} {{pd.serviceName}} {{pd.eventType}} {{pd.unknown}} {{record.Missing}}|{{nope"}]
            """;
        var document = Document($"[{Rule(actions: actions)}]");
        var incident = new PagerDutyFacts
        {
            IncidentId = "Q2C", IncidentNumber = 37, IncidentUrl = "https://pd/Q2C", IncidentTitle = "Down", IncidentStatus = "triggered",
            Urgency = "high", Priority = "P1", ServiceName = "Checkout", EventType = "trigger",
        };
        var e = RuleEvent.ForRecord("Case", false, null, Fields("CaseNumber", "00001001", "Priority", "High"), "rec-1", incident);

        var action = Assert.Single(Assert.Single(Evaluate(document, e).Matches).Actions);

        Assert.Equal(
            "Case 00001001 (High) on 37 Q2C https://pd/Q2C Down triggered high P1 Checkout trigger {{pd.unknown}} |{{nope",
            (string?)action["content"]);
    }

    [Fact]
    public void FillsPlaceholdersInNestedParameters()
    {
        var actions = """
            [{"type": "createRecord", "fields": {"Subject": "{{pd.incidentTitle}}", "Description": "See {{pd.incidentUrl}}", "Priority": 3},
              "extra": ["{{pd.urgency}}", {"deep": "{{pd.priority}}"}]}]
            """;
        var document = Document($"[{Rule(runOn: RuleRunOn.PagerDutyIncidentCreateOrUpdate, actions: actions)}]");
        var e = RuleEvent.ForPagerDuty(new PagerDutyFacts { IncidentTitle = "Down", IncidentUrl = "u", Urgency = "low", Priority = "P2" });

        var action = Assert.Single(Assert.Single(Evaluate(document, e).Matches).Actions);

        Assert.Equal(
            """{"type":"createRecord","fields":{"Subject":"Down","Description":"See u","Priority":3},"extra":["low",{"deep":"P2"}]}""",
            action.ToJsonString());
    }

    [Fact]
    public void IncidentRuleActionsReadTheLinkedRecordForRecordPlaceholders()
    {
        var actions = """[{"type": "setField", "field": "Description", "value": "{{record.Subject}} / {{pd.incidentId}}"}]""";
        var document = Document($"[{Rule(runOn: RuleRunOn.PagerDutyIncidentCreateOrUpdate, actions: actions)}]");
        var e = RuleEvent.ForPagerDuty(
            new PagerDutyFacts { IncidentId = "Q1" },
            new Dictionary<string, IReadOnlyDictionary<string, object?>> { ["Case"] = Fields("Subject", "Checkout down") });

        var action = Assert.Single(Assert.Single(Evaluate(document, e).Matches).Actions);

        Assert.Equal("Checkout down / Q1", (string?)action["value"]);
    }

    [Fact]
    public void CreateIncidentCarriesTheBuiltTitle()
    {
        var document = RulesDocumentJson.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Rules", "TestData", "contract-example.json")));
        var e = Case("CaseNumber", "00001001", "Subject", "Checkout down", "Priority", "High", "Status", "New");

        var action = Assert.Single(Assert.Single(Evaluate(document, e).Matches).Actions);

        Assert.Equal(
            """{"type":"createIncident","serviceId":"PNE3JZM","urgency":"high","title":"Case 00001001 Checkout down"}""",
            action.ToJsonString());
    }

    [Fact]
    public void CreateIncidentWithoutTitleSpecUsesTheSubject()
    {
        var document = Document($"""[{Rule(actions: """[{"type": "createIncident", "serviceId": "S"}]""")}]""");

        var action = Assert.Single(Assert.Single(Evaluate(document, Case("Subject", "Checkout down")).Matches).Actions);

        Assert.Equal("Checkout down", (string?)action["title"]);
    }

    [Fact]
    public void UnmatchedRulesCarryNoActions()
    {
        var document = Document($"""[{Rule(conditions: $"[{HighPriority}]", actions: """[{"type": "addNote", "content": "x"}]""")}]""");

        Assert.Empty(Assert.Single(Evaluate(document, Case("Priority", "Low")).Matches).Actions);
    }

    [Fact]
    public void ReturnsFreshActionObjectsOnEveryEvaluation()
    {
        var snapshot = Compile(Document($"""[{Rule(actions: """[{"type": "addNote", "content": "x"}]""")}]"""));

        var first = Assert.Single(Assert.Single(snapshot.EvaluateMatches(Case())).Actions);
        first["content"] = "changed";
        var second = Assert.Single(Assert.Single(snapshot.EvaluateMatches(Case())).Actions);

        Assert.Equal("x", (string?)second["content"]);
    }

    [Fact]
    public void CompileRefusesAnInvalidDocument()
    {
        var document = Document($"[{Rule(conditions: $"[{Condition("Priorty", "equals", "\"High\"")}]")}]");

        var error = Assert.Throws<RulesDocumentInvalidException>(() => Compile(document));

        Assert.Equal(["Ruleset 'Test', rule 'R': condition 1 uses unknown field 'Priorty' on object 'Case'."], error.Errors);
    }
}

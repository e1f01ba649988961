using Portal.Core.Rules;
using static Portal.Tests.Rules.RuleTestKit;

namespace Portal.Tests.Rules;

public sealed class RulesDocumentValidatorTests
{
    private static IReadOnlyList<string> Errors(RulesDocument document) =>
        new RulesDocumentValidator(Schema).Validate(document).Errors.Select(e => e.ErrorMessage).ToList();

    private static IReadOnlyList<string> RuleErrors(string rule) => Errors(Document($"[{rule}]", "SFDC > PD"));

    private static string ConditionRule(string condition, string runOn = RuleRunOn.RecordCreateOrUpdate) =>
        Rule(name: "Page support", runOn: runOn, conditions: $"[{Condition("Priority", "equals", "\"High\"")}, {condition}]");

    private static string ActionRule(string action, string runOn = RuleRunOn.RecordCreateOrUpdate) =>
        Rule(name: "Page support", runOn: runOn, actions: $"[{action}]");

    [Fact]
    public void NamesRulesetRuleAndUnknownField() =>
        Assert.Equal(
            ["Ruleset 'SFDC > PD', rule 'Page support': condition 2 uses unknown field 'Priorty' on object 'Case'."],
            RuleErrors(ConditionRule(Condition("Priorty", "equals", "\"High\""))));

    [Fact]
    public void RejectsUnknownOperator() =>
        Assert.Equal(
            ["Ruleset 'SFDC > PD', rule 'Page support': condition 2 uses unknown operator 'eq' on field 'Status'."],
            RuleErrors(ConditionRule(Condition("Status", "eq", "\"x\""))));

    [Fact]
    public void RejectsUnknownObjectRunOnWhenAndExecuteFor() =>
        Assert.Equal(
            [
                "Ruleset 'SFDC > PD', rule 'Page support': unknown object 'Cse'.",
                "Ruleset 'SFDC > PD', rule 'Page support': unknown runOn 'onSave'; use 'recordCreateOrUpdate' or 'pagerDutyIncidentCreateOrUpdate'.",
                "Ruleset 'SFDC > PD', rule 'Page support': unknown when 'most'; use 'all' or 'any'.",
                "Ruleset 'SFDC > PD', rule 'Page support': unknown executeFor 'always'; use 'newOnly' or 'allLinked'.",
            ],
            RuleErrors(Rule(name: "Page support", obj: "Cse", runOn: "onSave", when: "most", executeFor: "always")));

    [Fact]
    public void RejectsSchemaVersionOtherThanOne() =>
        Assert.Equal(["Schema version must be 1, not 2."], Errors(new RulesDocument { SchemaVersion = 2 }));

    [Fact]
    public void RejectsDuplicateRulesetAndRuleNames()
    {
        var document = RulesDocumentJson.Parse($$"""
            {"schemaVersion": 1, "rulesets": [
              {"name": "A", "enabled": true, "rules": [{{Rule(name: "r")}}, {{Rule(name: "r")}}]},
              {"name": "A", "enabled": true, "rules": []}]}
            """);

        Assert.Equal(
            [
                "Ruleset 'A', rule 'r' appears more than once; rule names must be unique within a ruleset.",
                "Ruleset 'A' appears more than once; ruleset names must be unique.",
            ],
            Errors(document));
    }

    [Theory]
    [InlineData("in", "\"High\"", "condition 2 on field 'Status': operator 'in' needs a JSON array of values.")]
    [InlineData("notIn", null, "condition 2 on field 'Status': operator 'notIn' needs a JSON array of values.")]
    [InlineData("in", "[[1]]", "condition 2 on field 'Status': operator 'in' needs an array of text, numbers or true/false.")]
    [InlineData("isBlank", "\"x\"", "condition 2 on field 'Status': operator 'isBlank' takes no value.")]
    [InlineData("changed", "\"x\"", "condition 2 on field 'Status': operator 'changed' takes no value.")]
    [InlineData("changedTo", null, "condition 2 on field 'Status': operator 'changedTo' needs a value.")]
    [InlineData("changedFrom", null, "condition 2 on field 'Status': operator 'changedFrom' needs a value.")]
    [InlineData("equals", null, "condition 2 on field 'Status': operator 'equals' needs a value.")]
    [InlineData("equals", "[\"a\"]", "condition 2 on field 'Status': operator 'equals' needs a single text, number or true/false value.")]
    [InlineData("greaterThan", "\"soon\"", "condition 2 on field 'Status': operator 'greaterThan' needs a number or an ISO 8601 date, not 'soon'.")]
    [InlineData("lessOrEqual", "true", "condition 2 on field 'Status': operator 'lessOrEqual' needs a number or an ISO 8601 date, not 'true'.")]
    public void ChecksTheValueShapeForTheOperator(string op, string? value, string message) =>
        Assert.Equal([$"Ruleset 'SFDC > PD', rule 'Page support': {message}"], RuleErrors(ConditionRule(Condition("Status", op, value))));

    [Theory]
    [InlineData("greaterThan", "5")]
    [InlineData("greaterThan", "\"2026-01-01T00:00:00Z\"")]
    [InlineData("lessThan", "\"2026-01-01\"")]
    [InlineData("in", "[\"a\", 1, true]")]
    [InlineData("matches", "\"^P[0-9]$\"")]
    [InlineData("changedTo", "\"Closed\"")]
    public void AcceptsWellShapedValues(string op, string value) =>
        Assert.Empty(RuleErrors(ConditionRule(Condition("Status", op, value))));

    [Theory]
    [InlineData("Case", "pd.eventType", "equals", "\"Acknowledged\"",
        "condition 2 on field 'pd.eventType': operator 'equals': 'Acknowledged' is not a PagerDuty event type; use one of 'trigger', 'acknowledge', 'unacknowledge', 'resolve', 'reopen', 'assign', 'escalate', 'delegate', 'annotate', 'priorityUpdate', 'responderAdded', 'statusUpdate', 'custom'.")]
    [InlineData("Case", "pd.incidentStatus", "in", "[\"triggered\", \"open\"]",
        "condition 2 on field 'pd.incidentStatus': operator 'in': 'open' is not an incident status; use one of 'triggered', 'acknowledged', 'resolved'.")]
    [InlineData("Case", "pd.urgency", "notEquals", "\"urgent\"", "condition 2 on field 'pd.urgency': operator 'notEquals': 'urgent' is not an urgency; use one of 'high', 'low'.")]
    [InlineData("Case", "time.businessHours", "equals", "\"yes\"", "condition 2 on field 'time.businessHours': operator 'equals': 'yes' is not true or false; use one of 'true', 'false'.")]
    [InlineData("Opportunity", "StageName", "changedTo", "\"Won\"",
        "condition 2 on field 'StageName': operator 'changedTo': 'Won' is not a value of picklist field 'StageName'; use one of 'Prospecting', 'Closed Won'.")]
    [InlineData("Opportunity", "IsWon", "equals", "\"maybe\"", "condition 2 on field 'IsWon': operator 'equals': 'maybe' is not true or false; use one of 'true', 'false'.")]
    public void RefusesAValueOutsideTheFieldsClosedSetSinceItCouldNeverMatch(string obj, string field, string op, string value, string message) =>
        Assert.Equal([$"Ruleset 'SFDC > PD', rule 'Page support': {message}"],
            RuleErrors(Rule(name: "Page support", obj: obj, conditions: $"[{Condition(obj == "Case" ? "Priority" : "Amount", "isNotBlank", null)}, {Condition(field, op, value)}]")));

    [Theory]
    [InlineData("pd.eventType", "equals", "\"ACKNOWLEDGE\"")]
    [InlineData("pd.eventType", "contains", "\"Acknowledged\"")]
    [InlineData("pd.incidentStatus", "notIn", "[\"resolved\", \"\"]")]
    [InlineData("pd.urgency", "equals", "\"\"")]
    [InlineData("time.businessHours", "equals", "true")]
    public void TakesTheClosedSetsValuesInAnyCaseBlankAndPartialMatches(string field, string op, string value) =>
        Assert.Empty(RuleErrors(ConditionRule(Condition(field, op, value))));

    [Fact]
    public void RejectsAnInvalidRegularExpression()
    {
        var error = Assert.Single(RuleErrors(ConditionRule(Condition("Subject", "matches", "\"(unclosed\""))));

        Assert.StartsWith("Ruleset 'SFDC > PD', rule 'Page support': condition 2 on field 'Subject': operator 'matches' needs a valid .NET regular expression: ", error);
    }

    private static RulesDocument MatchesConditions(params int[] perRule) =>
        Document("[" + string.Join(",", perRule.Select((count, i) => Rule(name: $"r{i + 1}",
            conditions: "[" + string.Join(",", Enumerable.Repeat(Condition("Subject", "matches", "\"(a+)+$\""), count)) + "]"))) + "]", "Costly");

    [Fact]
    public void RefusesMoreMatchesConditionsThanTheLimitNamingTheRuleThatPassesIt()
    {
        Assert.Empty(Errors(MatchesConditions(100, 100)));

        Assert.Equal(
            [$"Ruleset 'Costly', rule 'r3': condition 2 on field 'Subject': operator 'matches' is the document's 'matches' condition number 201; a rules document holds at most {RulesDocumentValidator.MaxMatchesConditions}."],
            Errors(MatchesConditions(100, 99, 5)));
    }

    [Fact]
    public void RefusesAPatternLongerThanTheLimit()
    {
        var pattern = new string('a', RulePattern.MaxLength + 1);

        Assert.Equal(
            [$"Ruleset 'SFDC > PD', rule 'Page support': condition 2 on field 'Subject': operator 'matches' has a pattern of 1001 characters; at most {RulePattern.MaxLength} are allowed."],
            RuleErrors(ConditionRule(Condition("Subject", "matches", $"\"{pattern}\""))));
    }

    [Fact]
    public void LoadsAStoredDocumentOverTheLimits()
    {
        var document = MatchesConditions(150, 150);

        Assert.True(new RulesDocumentValidator(Schema, checkLimits: false).Validate(document).IsValid);
        Assert.Equal(2, RulesSnapshot.Compile(document, Schema, 1).RuleCount);
    }

    [Fact]
    public void AllowsChangeOperatorsOnlyOnRecordFields() =>
        Assert.Equal(
            ["Ruleset 'SFDC > PD', rule 'Page support': condition 2 on field 'pd.urgency': operator 'changed' applies only to record fields."],
            RuleErrors(ConditionRule(Condition("pd.urgency", "changed"))));

    [Fact]
    public void KnowsThePagerDutyAndTimeFields()
    {
        var conditions = string.Join(", ", RuleFields.PagerDuty.Append(RuleFields.BusinessHours).Select(f => Condition(f, "isNotBlank")));

        Assert.Empty(RuleErrors(Rule(conditions: $"[{conditions}]")));
        Assert.Equal(
            ["Ruleset 'SFDC > PD', rule 'Page support': condition 2 uses unknown field 'pd.colour' on object 'Case'."],
            RuleErrors(ConditionRule(Condition("pd.colour", "isBlank"))));
    }

    [Theory]
    [InlineData("""{"type": "explode"}""", "action 1 has unknown type 'explode'.")]
    [InlineData("""{"serviceId": "S"}""", "action 1 has no type.")]
    [InlineData("""{"type": "createIncident"}""", "action 1 (createIncident) needs 'serviceId'.")]
    [InlineData("""{"type": "createIncident", "serviceId": "S", "urgency": "medium"}""", "action 1 (createIncident) needs 'urgency' of 'high' or 'low', not \"medium\".")]
    [InlineData("""{"type": "setIncidentPriority"}""", "action 1 (setIncidentPriority) needs 'priorityId'.")]
    [InlineData("""{"type": "setIncidentUrgency"}""", "action 1 (setIncidentUrgency) needs 'urgency' ('high' or 'low').")]
    [InlineData("""{"type": "reassignIncident", "userIds": []}""", "action 1 (reassignIncident) needs 'escalationPolicyId' or 'userIds'.")]
    [InlineData("""{"type": "addResponders", "message": "help"}""", "action 1 (addResponders) needs 'userIds' or 'escalationPolicyIds'.")]
    [InlineData("""{"type": "addResponders", "userIds": ["U1"]}""", "action 1 (addResponders) needs 'message'.")]
    [InlineData("""{"type": "runIncidentWorkflow"}""", "action 1 (runIncidentWorkflow) needs 'workflowId'.")]
    [InlineData("""{"type": "runAutomationAction", "actionId": ""}""", "action 1 (runAutomationAction) needs 'actionId'.")]
    [InlineData("""{"type": "addNote", "content": 5}""", "action 1 (addNote) needs 'content'.")]
    [InlineData("""{"type": "createIncident", "serviceId": "S", "title": {"prefix": "C", "fields": ["Subject", "Status", "Priority", "Origin"]}}""", "action 1 (createIncident) has 4 title fields; at most 3 are allowed.")]
    [InlineData("""{"type": "createIncident", "serviceId": "S", "title": {"fields": ["Subjet"]}}""", "action 1 (createIncident) uses unknown title field 'Subjet' on object 'Case'.")]
    [InlineData("""{"type": "createIncident", "serviceId": "S", "title": "Case"}""", "action 1 (createIncident) needs 'title' as an object {\"prefix\": \"...\", \"fields\": [...]}.")]
    [InlineData("""{"type": "setField", "field": "Status", "value": "x"}""", "action 1 (setField) is a record action and cannot run in a recordCreateOrUpdate rule.")]
    public void ChecksActionsInRecordRules(string action, string message) =>
        Assert.Equal([$"Ruleset 'SFDC > PD', rule 'Page support': {message}"], RuleErrors(ActionRule(action)));

    [Theory]
    [InlineData("""{"type": "addNote", "content": "x"}""", "action 1 (addNote) is a PagerDuty action and cannot run in a pagerDutyIncidentCreateOrUpdate rule.")]
    [InlineData("""{"type": "setField", "value": "x"}""", "action 1 (setField) needs 'field'.")]
    [InlineData("""{"type": "setField", "field": "Status"}""", "action 1 (setField) needs 'value'.")]
    [InlineData("""{"type": "setField", "field": "Stat", "value": "x"}""", "action 1 (setField) sets unknown field 'Stat' on object 'Case'.")]
    [InlineData("""{"type": "createRecord"}""", "action 1 (createRecord) needs 'fields' as an object of field names and values.")]
    [InlineData("""{"type": "createRecord", "fields": {"Subject": "x", "Sbj": "y"}}""", "action 1 (createRecord) sets unknown field 'Sbj' on object 'Case'.")]
    public void ChecksActionsInIncidentRules(string action, string message) =>
        Assert.Equal([$"Ruleset 'SFDC > PD', rule 'Page support': {message}"], RuleErrors(ActionRule(action, RuleRunOn.PagerDutyIncidentCreateOrUpdate)));

    [Theory]
    [InlineData("""{"type": "createIncident", "serviceId": "S", "urgency": "low", "priorityId": "P", "escalationPolicyId": "E", "details": {"a": 1}, "title": {"prefix": "C", "fields": ["Subject"]}}""")]
    [InlineData("""{"type": "acknowledgeIncident"}""")]
    [InlineData("""{"type": "resolveIncident", "resolution": "fixed"}""")]
    [InlineData("""{"type": "setIncidentUrgency", "urgency": "high"}""")]
    [InlineData("""{"type": "reassignIncident", "escalationPolicyId": "E"}""")]
    [InlineData("""{"type": "reassignIncident", "userIds": ["U1", "U2"]}""")]
    [InlineData("""{"type": "addResponders", "escalationPolicyIds": ["E"], "message": "help"}""")]
    [InlineData("""{"type": "addNote", "content": "Case {{record.CaseNumber}}"}""")]
    public void AcceptsWellFormedPagerDutyActions(string action) => Assert.Empty(RuleErrors(ActionRule(action)));

    [Fact]
    public void NamesUnnamedRulesetsAndRulesByPosition()
    {
        var document = RulesDocumentJson.Parse($$"""
            {"schemaVersion": 1, "rulesets": [{"name": "", "enabled": true, "rules": [{{Rule(name: "")}}]}]}
            """);

        Assert.Equal(["Ruleset 1 has no name.", "Ruleset 1, rule 1 has no name."], Errors(document));
    }

    [Fact]
    public void PointsEachErrorAtItsProperty()
    {
        var failure = Assert.Single(new RulesDocumentValidator(Schema).Validate(Document($"[{ConditionRule(Condition("Priorty", "isBlank"))}]")).Errors);

        Assert.Equal("rulesets[0].rules[0].conditions[1].field", failure.PropertyName);
    }
}

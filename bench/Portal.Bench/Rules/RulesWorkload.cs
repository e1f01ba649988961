using System.Dynamic;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Rules;
using RE = RulesEngine.Models;

namespace Portal.Bench.Rules;

/// The rules issue's workload, built once and shared by the portal engine and Microsoft RulesEngine:
/// 1,000 enabled rules over 10 object types (100 each), three conditions and one action per rule, and events
/// of one type that each match 2 to 5 of its rules.
public sealed class RulesWorkload
{
    public const int RulesPerObject = 100;
    public const string EventObject = "Problem";

    public static readonly string[] Objects =
        ["Case", "Incident", "Change", "Problem", "Request", "Asset", "Task", "Order", "Ticket", "Alert"];

    private static readonly string[] Priorities = ["P1", "P2", "P3", "P4"];

    private static readonly string[] Words =
        ["disk", "network", "login", "timeout", "memory", "certificate", "backup", "latency", "printer", "payment"];

    private RulesWorkload(int eventCount, int seed)
    {
        Schema = new ObjectSchema(Objects.Select(name => new ObjectType(name,
        [
            new FieldDefinition("Priority", FieldType.Text),
            new FieldDefinition("Amount", FieldType.Number),
            new FieldDefinition("Subject", FieldType.Text),
            new FieldDefinition("Status", FieldType.Text),
            new FieldDefinition("Description", FieldType.Text),
        ])));
        Document = BuildDocument(placeholder: false);
        DocumentWithPlaceholders = BuildDocument(placeholder: true);
        Json = RulesDocumentJson.Serialize(Document);
        Workflows = BuildWorkflows();
        Fields = BuildEventFields(eventCount, seed);
        Events = [.. Fields.Select((fields, i) => RuleEvent.ForRecord(EventObject, isInsert: true, null, fields, $"rec-{i}"))];
        ExpandoInputs = [.. Fields.Select(ToExpando)];
        TypedInputs = [.. Fields.Select(ToTyped)];
    }

    public ObjectSchema Schema { get; }

    /// Each rule's action is a fixed note: the snapshot hands it out without filling.
    public RulesDocument Document { get; }

    /// The same rules with `{{record.Subject}}` in the note, which makes every matched rule fill its action.
    public RulesDocument DocumentWithPlaceholders { get; }

    /// The same document as the portal stores it.
    public string Json { get; }

    /// One RulesEngine workflow per object type, named after it, with the same rule names.
    public RE.Workflow[] Workflows { get; }

    public IReadOnlyDictionary<string, object?>[] Fields { get; }

    public RuleEvent[] Events { get; }

    public object[] ExpandoInputs { get; }

    public object[] TypedInputs { get; }

    public static RulesWorkload Create(int eventCount = 200, int seed = 20260302) => new(eventCount, seed);

    public static string RuleName(string objectName, int index) => $"{objectName}-{index:D3}";

    // Rule i: Priority = P(i mod 4), Amount > 200·(i div 20), Subject contains word (i mod 10). An event with
    // priority p and word w (p, w of equal parity) meets the five rules with i mod 20 fixed and matches those whose
    // threshold lies below its amount: 2 to 5 of them for amounts in (200, 1000].
    private static (string Priority, int Threshold, string Word) Conditions(int i) =>
        (Priorities[i % 4], i / 20 * 200, Words[i % 10]);

    private static RulesDocument BuildDocument(bool placeholder) => new()
    {
        Rulesets = [.. Objects.Select(objectName => new Ruleset
        {
            Name = $"{objectName} routing",
            Rules = [.. Enumerable.Range(0, RulesPerObject).Select(i =>
            {
                var (priority, threshold, word) = Conditions(i);
                return new Rule
                {
                    Name = RuleName(objectName, i),
                    Object = objectName,
                    RunOn = RuleRunOn.RecordCreateOrUpdate,
                    When = RuleWhen.All,
                    ExecuteFor = RuleExecuteFor.AllLinked,
                    Conditions =
                    [
                        Condition("Priority", RuleOperators.EqualTo, JsonSerializer.SerializeToElement(priority)),
                        Condition("Amount", RuleOperators.GreaterThan, JsonSerializer.SerializeToElement(threshold)),
                        Condition("Subject", RuleOperators.Contains, JsonSerializer.SerializeToElement(word)),
                    ],
                    Actions =
                    [
                        new JsonObject
                        {
                            ["type"] = RuleActionTypes.AddNote,
                            ["content"] = placeholder
                                ? $"Routed by {RuleName(objectName, i)}: {{{{record.Subject}}}}"
                                : $"Routed by {RuleName(objectName, i)}.",
                        },
                    ],
                };
            })],
        })],
    };

    private static RuleCondition Condition(string field, string op, JsonElement value) =>
        new() { Field = field, Operator = op, Value = value };

    private static RE.Workflow[] BuildWorkflows() =>
    [
        .. Objects.Select(objectName => new RE.Workflow
        {
            WorkflowName = objectName,
            Rules = [.. Enumerable.Range(0, RulesPerObject).Select(i =>
            {
                var (priority, threshold, word) = Conditions(i);
                return new RE.Rule
                {
                    RuleName = RuleName(objectName, i),
                    RuleExpressionType = RE.RuleExpressionType.LambdaExpression,
                    Expression = $"input1.Priority == \"{priority}\" && input1.Amount > {threshold} && input1.Subject.ToLower().Contains(\"{word}\")",
                    SuccessEvent = RuleName(objectName, i),
                };
            })],
        }),
    ];

    private static IReadOnlyDictionary<string, object?>[] BuildEventFields(int count, int seed)
    {
        var random = new Random(seed);
        var events = new IReadOnlyDictionary<string, object?>[count];
        for (var n = 0; n < count; n++)
        {
            var p = random.Next(4);
            var w = random.Next(5) * 2 + p % 2;
            // Cents in (250, 1000]: two to five matches, never on a threshold.
            var amount = (decimal)random.Next(25_001, 100_000) / 100m;
            events[n] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["Priority"] = Priorities[p],
                ["Amount"] = amount,
                ["Subject"] = $"Customer reports {Words[w].ToUpperInvariant()[..1]}{Words[w][1..]} trouble on host {random.Next(1000)}",
                ["Status"] = "New",
                ["Description"] = "Seen by the monitoring since " + amount.ToString(CultureInfo.InvariantCulture) + " seconds.",
            };
        }

        return events;
    }

    private static object ToExpando(IReadOnlyDictionary<string, object?> fields)
    {
        IDictionary<string, object?> expando = new ExpandoObject();
        foreach (var (name, value) in fields)
        {
            expando[name] = value;
        }

        return expando;
    }

    private static object ToTyped(IReadOnlyDictionary<string, object?> fields) => new BenchRecord
    {
        Priority = (string)fields["Priority"]!,
        Amount = (decimal)fields["Amount"]!,
        Subject = (string)fields["Subject"]!,
        Status = (string)fields["Status"]!,
        Description = (string)fields["Description"]!,
    };
}

public sealed class BenchRecord
{
    public string Priority { get; init; } = "";
    public decimal Amount { get; init; }
    public string Subject { get; init; } = "";
    public string Status { get; init; } = "";
    public string Description { get; init; } = "";
}

using System.Text.Json.Serialization;

namespace Portal.Core.Rules.Actions;

/// Names an action type: its `type` in the rules document and in planned actions, and its label (the editor, the
/// console and log messages). `Order` places it in the editor's list; `StoredAs` and `OldParameters` read planned
/// actions stored under an earlier name (`changeTitle`) or with an earlier parameter name (`level:escalationLevel`).
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RuleActionTypeAttribute(string name, string label, int order) : Attribute
{
    public string Name { get; } = name;
    public string Label { get; } = label;
    public int Order { get; } = order;
    /// A record action (acts on the linked records of a `pagerDutyIncidentCreateOrUpdate` rule's object), else a
    /// PagerDuty action (acts on incidents).
    public bool OnRecords { get; init; }
    /// Offered in the Command Console on a linked incident.
    public bool InConsole { get; init; }
    /// The console's word for it ("Acknowledge"), its menu item and confirm button.
    public string? Verb { get; init; }
    /// The contract's short event type of PagerDuty's webhook that echoes it (`acknowledge`, `annotate`): that event
    /// on the incident, after the action, is Portal's own change coming back (`PagerDutyEchoes`).
    public string? EchoedAs { get; init; }
    /// PagerDuty refuses it on a resolved incident: the console neither offers nor queues it there.
    public bool NotOnResolved { get; init; }
    public string[] StoredAs { get; init; } = [];
    public string[] OldParameters { get; init; } = [];
}

/// A parameter the rule editor does not show as a field of its own kind: it has its own editor (a `createIncident`
/// title, `createRecord` fields) or is set by Portal, not by an admin (a note's `commentId`).
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class NotInEditorAttribute : Attribute;

/// How the editor takes a parameter: text, a comma-separated list of ids, a whole number, or any JSON value typed as
/// text (`setField`'s value).
public enum ActionParameterKind { Text, TextList, Number, Value }

/// One parameter of an action type, by its name in the rules document, with the editor's label for it ("PagerDuty Service").
public sealed record ActionParameter(string Name, ActionParameterKind Kind, bool InEditor, string Label);

/// One action of a rule, or of an agent in the Command Console: a type owns its parameters (as JSON properties, named
/// as in the rules document), its checks and its label. `RuleActionJson` reads and writes it with `"type"` first.
public abstract record RuleAction
{
    [JsonIgnore]
    public RuleActionKind Kind => RuleActionCatalog.Of(GetType());

    [JsonIgnore]
    public string Type => Kind.Name;

    [JsonIgnore]
    public string Label => Kind.Label;

    /// Checks the parameters; each failure names its parameter (`check.Fail`), so that a rule's message names the
    /// ruleset, rule, action and field, and the console shows it beside that field.
    public abstract void Validate(ActionCheck check);
}

/// An action that acts on a PagerDuty incident (the dispatcher sends it).
public abstract record PagerDutyAction : RuleAction;

/// An action that acts on records (the rules of a PagerDuty event carry it out at once).
public abstract record RecordAction : RuleAction;

public sealed record RuleActionKind(string Name, string Label, int Order, bool IsRecord, bool InConsole, Type ClrType,
    IReadOnlyList<string> StoredAs, IReadOnlyDictionary<string, string> OldParameters)
{
    public string Verb { get; init; } = Label;

    /// Its parameters in declaration order, as the rules document names them.
    public IReadOnlyList<ActionParameter> Parameters => _parameters ??= RuleActionJson.ParametersOf(ClrType);
    private IReadOnlyList<ActionParameter>? _parameters;

    /// The parameters the rule editor shows as plain fields, in its order.
    public IEnumerable<ActionParameter> EditorParameters => Parameters.Where(p => p.InEditor);

    public string? EchoedAs { get; init; }
    public bool NotOnResolved { get; init; }

    /// The label with `{object}` replaced by the object's label: "Set Case field value".
    public string LabelFor(string objectLabel) => Label.Replace("{object}", objectLabel, StringComparison.Ordinal);
}

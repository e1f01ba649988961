using System.Text.Json.Nodes;

namespace Portal.Core.Rules.Actions;

/// What an action's `Validate` reports to: each failure names its parameter (or null for the action as a whole) and
/// says what is wrong in the words a rule's message ends with ("needs 'serviceId'."). It also knows the action as
/// written, for what the typed action cannot hold: a parameter of the wrong kind, and whether one was given at all.
public sealed class ActionCheck
{
    private readonly Action<string?, string> _fail;
    private readonly JsonObject _written;
    private readonly IReadOnlySet<string> _wrongKind;

    internal ActionCheck(JsonObject written, IReadOnlySet<string> wrongKind, ObjectType? objectType, bool inRule, Action<string?, string> fail)
    {
        _written = written;
        _wrongKind = wrongKind;
        Object = objectType;
        InRule = inRule;
        _fail = fail;
    }

    /// The object of the rule (its fields are checked), when known.
    public ObjectType? Object { get; }

    /// An action of a rule, as the rules document holds it (a `createIncident` title is a `{prefix, fields}` object),
    /// rather than one filled, from the console or planned (its title is the text).
    public bool InRule { get; }

    /// Reads a written action and checks it: a `type` none or unknown, a parameter of the wrong kind or a check of its
    /// type goes to `fail` (the parameter, or null for the action as a whole, and what is wrong). Null when no typed
    /// action could be read.
    public static RuleAction? Run(JsonObject written, ObjectType? objectType, bool inRule, Action<string?, string> fail)
    {
        RuleAction action;
        IReadOnlySet<string> wrongKind;
        try
        {
            action = RuleActionJson.Read(written, out wrongKind);
        }
        catch (RuleActionFormatException e)
        {
            fail(e.Parameter, e.Message);
            return null;
        }

        action.Validate(new ActionCheck(written, wrongKind, objectType, inRule, fail));
        return action;
    }

    /// What is wrong with a typed action (from the console, or about to be planned), by parameter: "Needs 'content'."
    /// under `content`; a failure of the action as a whole under `type`.
    public static IReadOnlyDictionary<string, string[]> Problems(RuleAction action) => Problems(RuleActionJson.ToJsonObject(action), out _);

    /// What is wrong with a written action that is not a rule's (from the console), by parameter, as above; `action` is
    /// the typed action read from it, or null when none could be.
    public static IReadOnlyDictionary<string, string[]> Problems(JsonObject written, out RuleAction? action)
    {
        var problems = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        action = Run(written, null, inRule: false, (parameter, message) =>
        {
            var key = parameter ?? "type";
            if (!problems.TryGetValue(key, out var list)) problems[key] = list = [];
            list.Add(char.ToUpperInvariant(message[0]) + message[1..]);
        });
        return problems.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    public void Fail(string? parameter, string message) => _fail(parameter, message);

    /// The parameter was written, whatever its value (null too).
    public bool Has(string parameter) => _written.ContainsKey(parameter);

    /// The parameter was written as a JSON kind its type does not take (a number for a text).
    public bool IsWrongKind(string parameter) => _wrongKind.Contains(parameter);

    /// The parameter as written, in JSON (`5`, `"medium"`, `null`).
    public string Shown(string parameter) => _written[parameter]?.ToJsonString() ?? "null";

    public void RequireText(string parameter, string? value)
    {
        if (!HasText(value)) Fail(parameter, $"needs '{parameter}'.");
    }

    public void OptionalText(string parameter)
    {
        if (IsWrongKind(parameter)) Fail(parameter, $"needs '{parameter}' as text.");
    }

    public static bool HasText(string? value) => !string.IsNullOrWhiteSpace(value);

    public static bool HasTextList(IReadOnlyList<string>? values) => values is { Count: > 0 } && values.All(HasText);
}

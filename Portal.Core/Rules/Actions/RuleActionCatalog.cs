using System.Reflection;

namespace Portal.Core.Rules.Actions;

/// Every action type: the concrete `RuleAction` records of this assembly that carry `RuleActionTypeAttribute`, in
/// their `Order`. A new type is found here, in the JSON and in the validator without being listed anywhere.
public static class RuleActionCatalog
{
    public static IReadOnlyList<RuleActionKind> All { get; } = Discover();

    private static readonly Dictionary<Type, RuleActionKind> s_byClr = All.ToDictionary(k => k.ClrType);
    private static readonly Dictionary<string, RuleActionKind> s_byName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);
    private static readonly Dictionary<string, RuleActionKind> s_byStoredName =
        All.SelectMany(k => k.StoredAs.Select(old => (old, k))).ToDictionary(p => p.old, p => p.k, StringComparer.Ordinal);

    public static IReadOnlyList<RuleActionKind> PagerDuty { get; } = [.. All.Where(k => !k.IsRecord)];

    public static IReadOnlyList<RuleActionKind> Record { get; } = [.. All.Where(k => k.IsRecord)];

    public static IReadOnlyList<RuleActionKind> Console { get; } = [.. All.Where(k => k.InConsole)];

    /// The action types PagerDuty's webhook event `eventType` (`acknowledge`, `annotate`, ...) echoes, with the names
    /// they were stored under before.
    public static IReadOnlyList<string> EchoedAs(string? eventType) =>
        [.. All.Where(k => eventType is not null && k.EchoedAs == eventType).SelectMany(k => k.StoredAs.Prepend(k.Name))];

    public static RuleActionKind Of(Type type) =>
        s_byClr.TryGetValue(type, out var kind) ? kind : throw new InvalidOperationException($"{type.Name} has no [RuleActionType].");

    public static RuleActionKind? Find(string? name) => name is not null && s_byName.TryGetValue(name, out var kind) ? kind : null;

    /// The kind a planned action stored under `name` is, today's name or an earlier one.
    internal static RuleActionKind? FindStored(string? name) =>
        Find(name) ?? (name is not null && s_byStoredName.TryGetValue(name, out var kind) ? kind : null);

    /// "Add note to linked Incidents", or the name itself for a type Portal does not know.
    public static string LabelOf(string name) => Find(name)?.Label ?? name;

    /// "Set Case field value": the label for a rule's object, or the name itself for a type Portal does not know.
    public static string LabelOf(string name, string objectLabel) => Find(name)?.LabelFor(objectLabel) ?? name;

    private static List<RuleActionKind> Discover() =>
    [
        .. typeof(RuleAction).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.IsSubclassOf(typeof(RuleAction)))
            .Select(t => (Type: t, Attribute: t.GetCustomAttribute<RuleActionTypeAttribute>()
                ?? throw new InvalidOperationException($"{t.Name} is a RuleAction without [RuleActionType].")))
            .Select(p => new RuleActionKind(p.Attribute.Name, p.Attribute.Label, p.Attribute.Order,
                p.Type.IsSubclassOf(typeof(RecordAction)), p.Attribute.InConsole, p.Type, p.Attribute.StoredAs,
                p.Attribute.OldParameters.Select(o => o.Split(':')).ToDictionary(o => o[0], o => o[1], StringComparer.Ordinal))
            {
                Verb = p.Attribute.Verb ?? p.Attribute.Label, EchoedAs = p.Attribute.EchoedAs, NotOnResolved = p.Attribute.NotOnResolved,
            })
            .OrderBy(k => k.Order),
    ];
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Core.Rules;

public sealed record RulesDocument
{
    public int SchemaVersion { get; init; } = 1;
    public IReadOnlyList<Ruleset> Rulesets { get; init; } = [];
}

public sealed record Ruleset
{
    public string Name { get; init; } = "";
    public bool Enabled { get; init; } = true;
    public IReadOnlyList<Rule> Rules { get; init; } = [];
}

public sealed record Rule
{
    public string Name { get; init; } = "";
    public string Object { get; init; } = "";
    public string RunOn { get; init; } = "";
    public string When { get; init; } = RuleWhen.All;
    public IReadOnlyList<RuleCondition> Conditions { get; init; } = [];
    public string ExecuteFor { get; init; } = RuleExecuteFor.AllLinked;
    public IReadOnlyList<JsonObject> Actions { get; init; } = [];

    /// `live` (the default, also when left out) or `shadow`: evaluated like a live rule, it plans and changes nothing and
    /// logs what it would have done.
    public string? Mode { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsShadow => Mode == RuleMode.Shadow;
}

/// A test of one field (`field`, `operator`, `value`), or a group (`when` over its own `conditions`, nested up to
/// `MaxGroupDepth` levels): "Priority is High and (Origin is Phone or the subject contains outage)".
public sealed record RuleCondition
{
    public const int MaxGroupDepth = 3;

    public string Field { get; init; } = "";
    public string Operator { get; init; } = "";
    public JsonElement? Value { get; init; }

    /// A group's `all` or `any`.
    public string? When { get; init; }

    /// A group's conditions; null for a field test.
    public IReadOnlyList<RuleCondition>? Conditions { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsGroup => Conditions is not null;

    public static RuleCondition Group(string when, params RuleCondition[] conditions) => new() { When = when, Conditions = conditions };
}

public static class RuleRunOn
{
    public const string RecordCreateOrUpdate = "recordCreateOrUpdate";
    public const string PagerDutyIncidentCreateOrUpdate = "pagerDutyIncidentCreateOrUpdate";
}

public static class RuleMode
{
    public const string Live = "live";
    public const string Shadow = "shadow";
}

public static class RuleWhen
{
    public const string All = "all";
    public const string Any = "any";
}

public static class RuleExecuteFor
{
    public const string NewOnly = "newOnly";
    public const string AllLinked = "allLinked";
}

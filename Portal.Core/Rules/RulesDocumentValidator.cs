using System.Text.Json;
using System.Text.Json.Nodes;
using FluentValidation;
using FluentValidation.Results;

namespace Portal.Core.Rules;

public sealed class RulesDocumentValidator : AbstractValidator<RulesDocument>
{
    /// `matches` conditions in one document, enabled or not: each builds an automaton when the document is compiled
    /// (a dry-run's own document is compiled for that request alone) and may run on every event.
    public const int MaxMatchesConditions = 200;

    private readonly ObjectSchema _schema;
    private readonly bool _checkLimits;

    /// `checkLimits` false accepts documents over `MaxMatchesConditions` and `RulePattern.MaxLength` (a version stored
    /// before the limits existed); it is for loading what is stored, never for what a caller sends.
    public RulesDocumentValidator(ObjectSchema schema, bool checkLimits = true)
    {
        _schema = schema;
        _checkLimits = checkLimits;

        RuleFor(document => document.SchemaVersion)
            .Equal(1)
            .WithMessage(document => $"Schema version must be 1, not {document.SchemaVersion}.");

        RuleFor(document => document.Rulesets)
            .NotNull()
            .WithMessage("The document has no 'rulesets' list.")
            .Custom((rulesets, context) => CheckRulesets(rulesets ?? [], context));
    }

    private void CheckRulesets(IReadOnlyList<Ruleset> rulesets, ValidationContext<RulesDocument> context)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var tally = new Tally();
        for (var s = 0; s < rulesets.Count; s++)
        {
            var ruleset = rulesets[s];
            var path = $"rulesets[{s}]";
            if (ruleset is null)
            {
                Fail(context, path, $"Ruleset {s + 1} is empty.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(ruleset.Name))
            {
                Fail(context, path + ".name", $"Ruleset {s + 1} has no name.");
            }
            else if (!names.Add(ruleset.Name))
            {
                Fail(context, path + ".name", $"Ruleset '{ruleset.Name}' appears more than once; ruleset names must be unique.");
            }

            var label = string.IsNullOrWhiteSpace(ruleset.Name) ? $"Ruleset {s + 1}" : $"Ruleset '{ruleset.Name}'";
            var ruleNames = new HashSet<string>(StringComparer.Ordinal);
            var rules = ruleset.Rules ?? [];
            for (var r = 0; r < rules.Count; r++)
            {
                var rule = rules[r];
                var rulePath = $"{path}.rules[{r}]";
                if (rule is null)
                {
                    Fail(context, rulePath, $"{label}, rule {r + 1} is empty.");
                    continue;
                }

                if (string.IsNullOrWhiteSpace(rule.Name))
                {
                    Fail(context, rulePath + ".name", $"{label}, rule {r + 1} has no name.");
                }
                else if (!ruleNames.Add(rule.Name))
                {
                    Fail(context, rulePath + ".name",
                        $"{label}, rule '{rule.Name}' appears more than once; rule names must be unique within a ruleset.");
                }

                var ruleLabel = string.IsNullOrWhiteSpace(rule.Name) ? $"{label}, rule {r + 1}" : $"{label}, rule '{rule.Name}'";
                new RuleChecker(_schema, context, rule, rulePath, ruleLabel, _checkLimits ? tally : null).Check();
            }
        }
    }

    private static void Fail(ValidationContext<RulesDocument> context, string path, string message) =>
        context.AddFailure(new ValidationFailure(path, message));

    // What the limits count across the whole document.
    private sealed class Tally
    {
        public int MatchesConditions;
    }

    private sealed class RuleChecker(
        ObjectSchema schema,
        ValidationContext<RulesDocument> context,
        Rule rule,
        string path,
        string label,
        Tally? limits)
    {
        private readonly ObjectType? _object = schema.TryGetObject(rule.Object ?? "", out var type) ? type : null;

        private bool IsRecordRule => rule.RunOn == RuleRunOn.RecordCreateOrUpdate;

        private bool IsPagerDutyRule => rule.RunOn == RuleRunOn.PagerDutyIncidentCreateOrUpdate;

        public void Check()
        {
            if (string.IsNullOrWhiteSpace(rule.Object))
            {
                Fail("object", "has no object.");
            }
            else if (_object is null)
            {
                Fail("object", $"unknown object '{rule.Object}'.");
            }

            if (!IsRecordRule && !IsPagerDutyRule)
            {
                Fail("runOn", $"unknown runOn '{rule.RunOn}'; use '{RuleRunOn.RecordCreateOrUpdate}' or '{RuleRunOn.PagerDutyIncidentCreateOrUpdate}'.");
            }

            if (rule.When is not (RuleWhen.All or RuleWhen.Any))
            {
                Fail("when", $"unknown when '{rule.When}'; use 'all' or 'any'.");
            }

            if (rule.ExecuteFor is not (RuleExecuteFor.NewOnly or RuleExecuteFor.AllLinked))
            {
                Fail("executeFor", $"unknown executeFor '{rule.ExecuteFor}'; use 'newOnly' or 'allLinked'.");
            }

            if (rule.Mode is not (null or RuleMode.Live or RuleMode.Shadow))
            {
                Fail("mode", $"unknown mode '{rule.Mode}'; use 'live' or 'shadow' (or leave it out for live).");
            }

            var conditions = rule.Conditions ?? [];
            for (var i = 0; i < conditions.Count; i++)
            {
                CheckCondition(conditions[i], $"conditions[{i}]", $"condition {i + 1}", depth: 0);
            }

            var actions = rule.Actions ?? [];
            for (var i = 0; i < actions.Count; i++)
            {
                CheckAction(actions[i], i);
            }
        }

        // `depth`: how many groups hold this condition; a group's conditions are named "condition 2.1" at "conditions[1].conditions[0]"
        private void CheckCondition(RuleCondition? condition, string at, string name, int depth)
        {
            if (condition is null)
            {
                Fail(at, $"{name} is empty.");
                return;
            }

            if (condition.Conditions is { } group)
            {
                CheckGroup(condition, group, at, name, depth + 1);
                return;
            }

            if (condition.When is not null)
            {
                Fail(at + ".conditions", $"{name} has 'when' but no 'conditions': a group needs both.");
            }

            var field = condition.Field ?? "";
            var isSpecial = RuleFields.IsSpecial(field);
            if (string.IsNullOrWhiteSpace(field))
            {
                Fail(at + ".field", $"{name} has no field.");
            }
            else if (!isSpecial && _object is not null && !_object.HasField(field))
            {
                Fail(at + ".field", $"{name} uses unknown field '{field}' on object '{_object.Name}'.");
            }
            else if (!isSpecial && (field.StartsWith("pd.", StringComparison.Ordinal) || field.StartsWith("time.", StringComparison.Ordinal)))
            {
                Fail(at + ".field", $"{name} uses unknown field '{field}'.");
            }

            var op = condition.Operator ?? "";
            if (!RuleOperators.IsKnown(op))
            {
                Fail(at + ".operator", $"{name} uses unknown operator '{op}' on field '{field}'.");
                return;
            }

            var about = $"{name} on field '{field}': operator '{op}'";
            var value = condition.Value;
            var hasValue = RuleValues.HasValue(value);
            if (RuleOperators.TakesNoValue(op))
            {
                if (hasValue)
                {
                    Fail(at + ".value", $"{about} takes no value.");
                }
            }
            else if (!hasValue)
            {
                Fail(at + ".value", RuleOperators.TakesList(op) ? $"{about} needs a JSON array of values." : $"{about} needs a value.");
            }
            else if (RuleOperators.TakesList(op))
            {
                if (value!.Value.ValueKind != JsonValueKind.Array)
                {
                    Fail(at + ".value", $"{about} needs a JSON array of values.");
                }
                else if (value.Value.EnumerateArray().Any(item => !IsScalar(item)))
                {
                    Fail(at + ".value", $"{about} needs an array of text, numbers or true/false.");
                }
            }
            else if (!IsScalar(value!.Value))
            {
                Fail(at + ".value", $"{about} needs a single text, number or true/false value.");
            }
            else if (RuleOperators.IsOrdering(op))
            {
                var text = RuleValues.ExpectedText(value);
                if (value.Value.ValueKind is JsonValueKind.True or JsonValueKind.False
                    || !(RuleValues.TryParseNumber(text, out _) || RuleValues.TryParseDate(text, out _)))
                {
                    Fail(at + ".value", $"{about} needs a number or an ISO 8601 date, not '{text}'.");
                }
            }
            else if (op == RuleOperators.Matches)
            {
                CheckPattern(RuleValues.ExpectedText(value), at, about);
            }

            if (RuleOperators.IsChange(op) && isSpecial)
            {
                Fail(at + ".operator", $"{about} applies only to record fields.");
            }

            if (hasValue && RuleFields.ComparesWholeValues(op) && RuleFields.ClosedSet(field, _object) is var (values, what))
            {
                var given = value!.Value.ValueKind == JsonValueKind.Array ? value.Value.EnumerateArray().ToList() : [value.Value];
                foreach (var item in given.Where(IsScalar).Select(v => RuleValues.ExpectedText(v)).Where(t => t.Length > 0))
                {
                    if (!values.Contains(item, StringComparer.OrdinalIgnoreCase))
                    {
                        // never matched, so never accepted: "Acknowledged" is not an event type ("acknowledge" is)
                        Fail(at + ".value", $"{about}: '{item}' is not {what}; use one of {string.Join(", ", values.Select(v => $"'{v}'"))}.");
                    }
                }
            }
        }

        private void CheckGroup(RuleCondition condition, IReadOnlyList<RuleCondition> group, string at, string name, int level)
        {
            if (level > RuleCondition.MaxGroupDepth)
            {
                Fail(at, $"{name} is a group nested {level} levels deep; at most {RuleCondition.MaxGroupDepth} are allowed.");
                return;
            }

            if (condition.When is not (RuleWhen.All or RuleWhen.Any))
            {
                Fail(at + ".when", $"{name} is a group whose 'when' is '{condition.When}'; use 'all' or 'any'.");
            }

            if (condition.Field.Length > 0 || condition.Operator.Length > 0 || condition.Value is not null)
            {
                Fail(at, $"{name} is a group ('conditions') and a field test ('field', 'operator', 'value') at once; make it one or the other.");
            }

            if (group.Count == 0)
            {
                Fail(at + ".conditions", $"{name} is an empty group; give it conditions or remove it.");
            }

            for (var i = 0; i < group.Count; i++)
            {
                CheckCondition(group[i], $"{at}.conditions[{i}]", $"{name}.{i + 1}", level);
            }
        }

        private void CheckPattern(string pattern, string at, string about)
        {
            if (limits is not null && pattern.Length > RulePattern.MaxLength)
            {
                Fail(at + ".value", $"{about} has a pattern of {pattern.Length} characters; at most {RulePattern.MaxLength} are allowed.");
            }
            else if (RulePattern.Problem(pattern) is { } problem)
            {
                Fail(at + ".value", $"{about} needs a valid .NET regular expression: {problem}");
            }

            // Reported once, at the first condition past the limit.
            if (limits is not null && ++limits.MatchesConditions == MaxMatchesConditions + 1)
            {
                Fail(at + ".operator",
                    $"{about} is the document's 'matches' condition number {MaxMatchesConditions + 1}; a rules document holds at most {MaxMatchesConditions}.");
            }
        }

        private void CheckAction(JsonObject? action, int index)
        {
            var at = $"actions[{index}]";
            if (action is null)
            {
                Fail(at, $"action {index + 1} is empty.");
                return;
            }

            var name = $"action {index + 1}";
            var type = action["type"] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
            if (Actions.RuleActionCatalog.Find(type) is { } kind)
            {
                name = $"action {index + 1} ({type})";
                if (IsRecordRule && kind.IsRecord)
                {
                    Fail(at + ".type", $"{name} is a record action and cannot run in a {RuleRunOn.RecordCreateOrUpdate} rule.");
                }
                else if (IsPagerDutyRule && !kind.IsRecord)
                {
                    Fail(at + ".type", $"{name} is a PagerDuty action and cannot run in a {RuleRunOn.PagerDutyIncidentCreateOrUpdate} rule.");
                }
            }

            // the type's own checks, its parameters named in the message and the failure's path
            Actions.ActionCheck.Run(action, _object, inRule: true,
                (parameter, message) => Fail(parameter is null ? at : $"{at}.{parameter}", $"{name} {message}"));
        }

        private void Fail(string property, string message) =>
            context.AddFailure(new ValidationFailure($"{path}.{property}", $"{label}: {message}"));

        private static bool IsScalar(JsonElement element) =>
            element.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;
    }
}

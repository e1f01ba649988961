using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Core.Rules;

// An action prepared at compile time to fill as ActionFiller.Fill(JsonElement, context) does: the strings holding
// placeholders are pre-split once, and a fill builds only the containers on their way, handing out the rest of the
// action as lazily read JsonElement nodes, as JsonObject.Create would.
internal sealed class ActionTemplate
{
    private static readonly ActionContext NoContext = new("", null, null, null);

    private readonly JsonElement _action;
    private readonly ObjectTemplate? _template;
    private readonly bool _mayBeCreateIncident;

    public ActionTemplate(JsonElement action)
    {
        if (action.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("An action must be a JSON object.", nameof(action));
        }

        _action = action;
        if (!ActionFiller.NeedsFill(action))
        {
            return;
        }

        _template = Compile(action) as ObjectTemplate ?? new ObjectTemplate([.. action.EnumerateObject().Select(p => (p.Name, (Template)new Constant(p.Value)))]);
        _mayBeCreateIncident = action.TryGetProperty("type", out var type)
            && type.ValueKind == JsonValueKind.String
            && type.GetString() is { } typeName
            && (typeName == RuleActionTypes.CreateIncident || typeName.Contains("{{", StringComparison.Ordinal));
    }

    public bool NeedsContext => _template is not null;

    public JsonObject Fill(ActionContext? context)
    {
        if (_template is null || context is null)
        {
            return JsonObject.Create(_action)!;
        }

        var action = _template.Build(context);
        return _mayBeCreateIncident ? ActionFiller.FillTitle(action, context) : action;
    }

    // Null when nothing under this element holds a placeholder: it is then handed out as it is.
    private static Template? Compile(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = element.EnumerateObject().Select(p => (p.Name, Value: Compile(p.Value), Element: p.Value)).ToList();
                return properties.Any(p => p.Value is not null)
                    ? new ObjectTemplate([.. properties.Select(p => (p.Name, p.Value ?? new Constant(p.Element)))])
                    : null;
            case JsonValueKind.Array:
                var items = element.EnumerateArray().Select(item => (Value: Compile(item), Element: item)).ToList();
                return items.Any(item => item.Value is not null)
                    ? new ArrayTemplate([.. items.Select(item => item.Value ?? new Constant(item.Element))])
                    : null;
            case JsonValueKind.String when element.GetString() is { } text && text.Contains("{{", StringComparison.Ordinal):
                return new Text(Split(text));
            default:
                return null;
        }
    }

    // The same scan as ActionFiller.FillText, with each placeholder's resolution deferred to the fill.
    private static Part[] Split(string text)
    {
        List<Part> parts = [];
        var literal = new StringBuilder();
        var position = 0;
        var open = text.IndexOf("{{", StringComparison.Ordinal);
        while (open >= 0)
        {
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                break;
            }

            var key = text.Substring(open + 2, close - open - 2);
            literal.Append(text, position, open - position);
            if (ActionFiller.Resolve(key, NoContext) is null)
            {
                literal.Append(text, open, close + 2 - open);
            }
            else
            {
                if (literal.Length > 0)
                {
                    parts.Add(new Part(literal.ToString(), null, null));
                    literal.Clear();
                }

                parts.Add(key.StartsWith("record.", StringComparison.Ordinal)
                    ? new Part(null, key["record.".Length..], null)
                    : new Part(null, null, key));
            }

            position = close + 2;
            open = text.IndexOf("{{", position, StringComparison.Ordinal);
        }

        literal.Append(text, position, text.Length - position);
        if (literal.Length > 0 || parts.Count == 0)
        {
            parts.Add(new Part(literal.ToString(), null, null));
        }

        return [.. parts];
    }

    private readonly record struct Part(string? Literal, string? RecordField, string? Key)
    {
        public string Resolve(ActionContext context) =>
            Literal ?? (RecordField is { } field ? ActionFiller.RecordText(field, context) : ActionFiller.Resolve(Key!, context)!);
    }

    private abstract class Template
    {
        public abstract JsonNode? Node(ActionContext context);
    }

    private sealed class Constant(JsonElement element) : Template
    {
        public override JsonNode? Node(ActionContext context) => element.ValueKind switch
        {
            JsonValueKind.Object => JsonObject.Create(element),
            JsonValueKind.Array => JsonArray.Create(element),
            JsonValueKind.Null => null,
            _ => JsonValue.Create(element),
        };
    }

    private sealed class ObjectTemplate((string Name, Template Value)[] properties) : Template
    {
        public JsonObject Build(ActionContext context)
        {
            var node = new JsonObject();
            foreach (var (name, value) in properties)
            {
                node.Add(name, value.Node(context));
            }

            return node;
        }

        public override JsonNode? Node(ActionContext context) => Build(context);
    }

    private sealed class ArrayTemplate(Template[] items) : Template
    {
        public override JsonNode? Node(ActionContext context)
        {
            var node = new JsonArray();
            foreach (var item in items)
            {
                node.Add(item.Node(context));
            }

            return node;
        }
    }

    private sealed class Text(Part[] parts) : Template
    {
        public override JsonNode? Node(ActionContext context)
        {
            if (parts.Length == 1)
            {
                return JsonValue.Create(parts[0].Resolve(context));
            }

            var text = new DefaultInterpolatedStringHandler(0, parts.Length, CultureInfo.InvariantCulture);
            foreach (var part in parts)
            {
                text.AppendLiteral(part.Resolve(context));
            }

            return JsonValue.Create(text.ToStringAndClear());
        }
    }
}

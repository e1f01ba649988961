namespace Portal.Core.Rules;

public enum FieldType
{
    Text,
    Number,
    Boolean,
    DateTime,
    Picklist,
}

public sealed record FieldDefinition(string Name, FieldType Type, IReadOnlyList<string>? Values = null);

public sealed class ObjectType
{
    private readonly Dictionary<string, FieldDefinition> _fields;

    public ObjectType(string name, IEnumerable<FieldDefinition> fields)
    {
        Name = name;
        Fields = fields.ToArray();
        _fields = new Dictionary<string, FieldDefinition>(StringComparer.Ordinal);
        foreach (var field in Fields)
        {
            _fields[field.Name] = field;
        }
    }

    public string Name { get; }

    public IReadOnlyList<FieldDefinition> Fields { get; }

    public bool TryGetField(string name, out FieldDefinition field) => _fields.TryGetValue(name, out field!);

    public bool HasField(string name) => _fields.ContainsKey(name);
}

public sealed class ObjectSchema
{
    private readonly Dictionary<string, ObjectType> _objects;

    public ObjectSchema(IEnumerable<ObjectType> objects)
    {
        _objects = new Dictionary<string, ObjectType>(StringComparer.Ordinal);
        foreach (var type in objects)
        {
            _objects[type.Name] = type;
        }
    }

    public IReadOnlyCollection<ObjectType> Objects => _objects.Values;

    public bool TryGetObject(string name, out ObjectType type) => _objects.TryGetValue(name, out type!);

    public static ObjectType BuiltInCase { get; } = TextObject("Case",
        "CaseNumber", "Subject", "Description", "Status", "Priority", "Origin", "Type", "Reason", "ContactEmail");

    public static ObjectType BuiltInIncident { get; } = TextObject("Incident",
        "IncidentNumber", "Subject", "Description", "Status", "Priority", "Impact", "Urgency", "Category");

    public static ObjectSchema BuiltIn(params IEnumerable<ObjectType> extra) => new([BuiltInCase, BuiltInIncident, .. extra]);

    private static ObjectType TextObject(string name, params string[] fields) =>
        new(name, fields.Select(field => new FieldDefinition(field, FieldType.Text)));
}

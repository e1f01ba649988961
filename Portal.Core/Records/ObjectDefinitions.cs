namespace Portal.Core.Records;

/// A stored object type: the built-in Case and Incident, and those an Administrator defines.
public sealed class ObjectTypeEntity
{
    public required string Name { get; set; }
    public required string Label { get; set; }
    public bool RunRules { get; set; } = true;
    public bool IsBuiltIn { get; set; }
    public DateTime CreatedUtc { get; set; }
    public List<ObjectFieldEntity> Fields { get; set; } = [];
}

public sealed class ObjectFieldEntity
{
    public int Id { get; set; }
    public required string ObjectName { get; set; }
    public required string Name { get; set; }
    public required string Label { get; set; }
    /// `text`, `number`, `boolean`, `dateTime` or `picklist`, as in the contract.
    public required string Type { get; set; }
    /// The picklist's values as a JSON array; null for other types.
    public string? ValuesJson { get; set; }
    public int Position { get; set; }
    public bool IsBuiltIn { get; set; }
    /// Numbered by Portal when a new record does not give it (CaseNumber, IncidentNumber).
    public bool AutoNumber { get; set; }
}

/// The next number of an automatically numbered field, per object type.
public sealed class NumberSequenceEntity
{
    public required string ObjectName { get; set; }
    public long Next { get; set; } = 1;
}

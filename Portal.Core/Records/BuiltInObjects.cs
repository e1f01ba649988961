namespace Portal.Core.Records;

/// Contract section 2.1: the built-in Case and Incident, with `runRules` on; seeded by the migrations.
internal static class BuiltInObjects
{
    private static readonly DateTime s_seeded = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static ObjectTypeEntity[] Types =>
    [
        new() { Name = "Case", Label = "Case", RunRules = true, IsBuiltIn = true, CreatedUtc = s_seeded },
        new() { Name = "Incident", Label = "Incident", RunRules = true, IsBuiltIn = true, CreatedUtc = s_seeded },
    ];

    public static ObjectFieldEntity[] Fields =>
    [
        .. TextFields(1, "Case", ("CaseNumber", "Case Number"), ("Subject", "Subject"), ("Description", "Description"),
            ("Status", "Status"), ("Priority", "Priority"), ("Origin", "Origin"), ("Type", "Type"), ("Reason", "Reason"),
            ("ContactEmail", "Contact E-mail")),
        .. TextFields(101, "Incident", ("IncidentNumber", "Incident Number"), ("Subject", "Subject"), ("Description", "Description"),
            ("Status", "Status"), ("Priority", "Priority"), ("Impact", "Impact"), ("Urgency", "Urgency"), ("Category", "Category")),
    ];

    private static IEnumerable<ObjectFieldEntity> TextFields(int firstId, string objectName, params (string Name, string Label)[] fields) =>
        fields.Select((f, i) => new ObjectFieldEntity
        {
            Id = firstId + i,
            ObjectName = objectName,
            Name = f.Name,
            Label = f.Label,
            Type = "text",
            Position = i,
            IsBuiltIn = true,
            AutoNumber = i == 0,
        });
}

using System.Collections.Frozen;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Rules;
using Portal.Core.Security;

namespace Portal.Core.Records;

/// A field of an object type, in the contract's JSON shape (`{"name","label","type","values"}`).
public sealed record FieldDto(
    string Name, string? Label, string Type,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<string>? Values = null);

/// An object type, in the contract's JSON shape.
public sealed record ObjectTypeDto(string Name, string? Label, bool? RunRules, IReadOnlyList<FieldDto>? Fields);

public sealed record FieldInfo(string Name, string Label, FieldType Type, IReadOnlyList<string>? Values, bool IsBuiltIn, bool AutoNumber)
{
    public string TypeName => FieldTypes.Name(Type);
    public FieldDto ToDto() => new(Name, Label, TypeName, Type == FieldType.Picklist ? Values : null);
}

public sealed class ObjectTypeInfo(string name, string label, bool runRules, bool isBuiltIn, IReadOnlyList<FieldInfo> fields)
{
    private readonly FrozenDictionary<string, FieldInfo> _byName = fields.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    public string Name { get; } = name;
    public string Label { get; } = label;
    public bool RunRules { get; } = runRules;
    public bool IsBuiltIn { get; } = isBuiltIn;
    public IReadOnlyList<FieldInfo> Fields { get; } = fields;

    public FieldInfo? Field(string name) => _byName.GetValueOrDefault(name);

    /// The field that names a record in lists and titles: the automatic number, else Subject, else Name.
    public FieldInfo? NumberField => Fields.FirstOrDefault(f => f.AutoNumber);

    /// A record as people name it in messages: "Case 00000042" by its number, or "Opportunity <id>" for an object type
    /// without one.
    public string RecordName(string recordId, System.Text.Json.Nodes.JsonObject? fields) =>
        NumberField is { } number && fields?[number.Name]?.ToString() is { Length: > 0 } value ? $"{Name} {value}" : $"{Name} {recordId}";

    public ObjectTypeDto ToDto() => new(Name, Label, RunRules, Fields.Select(f => f.ToDto()).ToList());

    /// The type as the rules read it; built once per snapshot of the catalog (the type never changes).
    public ObjectType ToRulesType() => _rulesType ??= new(Name, Fields.Select(f => new FieldDefinition(f.Name, f.Type, f.Values)));

    private ObjectType? _rulesType;
}

/// Every object type at one moment; immutable, replaced as a whole when a type or field is added.
public sealed class CatalogSnapshot(IReadOnlyList<ObjectTypeInfo> objects)
{
    private readonly FrozenDictionary<string, ObjectTypeInfo> _byName = objects.ToFrozenDictionary(o => o.Name, StringComparer.Ordinal);

    public IReadOnlyList<ObjectTypeInfo> Objects { get; } = objects;
    public ObjectTypeInfo? Find(string name) => _byName.GetValueOrDefault(name);

    public ObjectTypeInfo Get(string name) =>
        Find(name) ?? throw new PortalNotFoundException($"There is no object type '{name}'. Known: {string.Join(", ", Objects.Select(o => o.Name))}.");

    public ObjectSchema ToRulesSchema() => new(Objects.Select(o => o.ToRulesType()));
}

public static class FieldTypes
{
    private static readonly Dictionary<string, FieldType> s_byName = new(StringComparer.Ordinal)
    {
        ["text"] = FieldType.Text, ["number"] = FieldType.Number, ["boolean"] = FieldType.Boolean,
        ["dateTime"] = FieldType.DateTime, ["picklist"] = FieldType.Picklist,
    };

    public static IReadOnlyCollection<string> Names => s_byName.Keys;
    public static bool TryParse(string? name, out FieldType type) => s_byName.TryGetValue(name ?? "", out type);
    public static string Name(FieldType type) => s_byName.First(p => p.Value == type).Key;
}

/// The object types and their fields. Reads come from a cached snapshot; changes go to the database first. A change
/// for a caller is config.write, checked for the caller now (AccessCheck); the unchecked ones are for the portal's
/// own code and tests. A change made by another instance is read again once `ConfigGenerations` sees the object types move.
public sealed partial class ObjectCatalog
{
    private readonly IDbContextFactory<PortalDbContext> dbFactory;
    private readonly TimeProvider clock;
    private readonly Logging.IntegrationLog log;
    private readonly Notifications.ChangeNotifier notifier;
    private readonly AccessCheck access;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private CatalogSnapshot? _snapshot;

    public ObjectCatalog(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, Logging.IntegrationLog log, Notifications.ChangeNotifier notifier,
        AccessCheck access, Notifications.ConfigGenerations generations)
    {
        (this.dbFactory, this.clock, this.log, this.notifier, this.access) = (dbFactory, clock, log, notifier, access);
        generations.Watch(Notifications.ConfigGenerations.Objects, ReloadChangedAsync);
    }

    public async Task<CatalogSnapshot> GetAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _snapshot) is { } current) return current;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var loaded = await LoadAsync(db, cancellationToken);
        // a reload that finished meanwhile holds what is newer
        return Interlocked.CompareExchange(ref _snapshot, loaded, null) ?? loaded;
    }

    public async Task<ObjectTypeInfo> DefineAsync(ObjectTypeDto input, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await DefineAsync(input, await ConfigWriterAsync(by, cancellationToken), cancellationToken);

    internal async Task<ObjectTypeInfo> DefineAsync(ObjectTypeDto input, string? by = null, CancellationToken cancellationToken = default)
    {
        var errors = new Errors();
        var name = input.Name?.Trim() ?? "";
        CheckName(errors, "name", name, "An object type");
        var label = string.IsNullOrWhiteSpace(input.Label) ? name : input.Label.Trim();
        if (label.Length > 100) errors.Add("label", "The label is longer than 100 characters.");
        var fields = input.Fields ?? [];
        for (var i = 0; i < fields.Count; i++)
        {
            CheckField(errors, $"fields[{i}]", fields[i]);
            if (fields.Take(i).Any(f => string.Equals(f.Name, fields[i].Name, StringComparison.OrdinalIgnoreCase)))
                errors.Add($"fields[{i}].name", $"Field '{fields[i].Name}' is listed twice.");
        }
        errors.ThrowIfAny();

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (await db.ObjectTypes.AnyAsync(o => o.Name.ToLower() == name.ToLower(), cancellationToken))
                throw new PortalValidationException("name", $"An object type named '{name}' already exists.");
            var entity = new ObjectTypeEntity
            {
                Name = name,
                Label = label,
                RunRules = input.RunRules ?? true,
                CreatedUtc = clock.GetUtcNow().UtcDateTime,
                Fields = fields.Select((f, i) => ToEntity(name, f, i)).ToList(),
            };
            db.ObjectTypes.Add(entity);
            db.LogEntries.Add(log.AuditEntry($"Object type {name} created by {by ?? "the system"} with {fields.Count} field(s)",
                new { by, before = (object?)null, after = TypeInfoOf(entity).ToDto() }));
            await SaveAsync(db, cancellationToken);
            return (await ReloadAsync(db, cancellationToken)).Get(name);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<FieldInfo> AddFieldAsync(string objectName, FieldDto input, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await AddFieldAsync(objectName, input, await ConfigWriterAsync(by, cancellationToken), cancellationToken);

    internal async Task<FieldInfo> AddFieldAsync(string objectName, FieldDto input, string? by = null, CancellationToken cancellationToken = default)
    {
        var errors = new Errors();
        CheckField(errors, "", input);
        errors.ThrowIfAny();

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var type = (await GetAsync(cancellationToken)).Get(objectName);
            if (type.Fields.Any(f => string.Equals(f.Name, input.Name.Trim(), StringComparison.OrdinalIgnoreCase)))
                throw new PortalValidationException("name", $"Object type '{objectName}' already has a field named '{input.Name.Trim()}'.");
            // after the last, whatever was removed before it
            var position = await db.ObjectFields.Where(f => f.ObjectName == type.Name).MaxAsync(f => (int?)f.Position, cancellationToken) + 1 ?? 0;
            var entity = ToEntity(type.Name, input, position);
            var added = FieldInfoOf(entity);
            db.ObjectFields.Add(entity);
            db.LogEntries.Add(log.AuditEntry($"Field {type.Name}.{added.Name} ({added.TypeName}) added by {by ?? "the system"}",
                new { by, @object = type.Name, before = (object?)null, after = added.ToDto() }));
            await SaveAsync(db, cancellationToken);
            return (await ReloadAsync(db, cancellationToken)).Get(type.Name).Field(added.Name)!;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task SetRunRulesAsync(string objectName, bool runRules, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await SetRunRulesAsync(objectName, runRules, await ConfigWriterAsync(by, cancellationToken), cancellationToken);

    internal async Task SetRunRulesAsync(string objectName, bool runRules, string? by = null, CancellationToken cancellationToken = default) =>
        await UpdateAsync(objectName, new ObjectTypeChange(RunRules: runRules), by, cancellationToken);

    // the change and its move of the object types' generation commit together
    private static async Task SaveAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await Notifications.ConfigGenerations.BumpAsync(db, Notifications.ConfigGenerations.Objects, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<CatalogSnapshot> ReloadAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var snapshot = await LoadAsync(db, cancellationToken);
        Volatile.Write(ref _snapshot, snapshot);
        // committed already; announced once the snapshot holds it, so that whoever hears it reads the new catalog
        notifier.Publish(new Notifications.ObjectCatalogChanged());
        return snapshot;
    }

    /// Another instance changed the object types: the snapshot is read again and announced when it differs.
    private async Task ReloadChangedAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var loaded = await LoadAsync(db, cancellationToken);
            if (Volatile.Read(ref _snapshot) is { } current && Describe(current) == Describe(loaded)) return;
            Volatile.Write(ref _snapshot, loaded);
            notifier.PublishReceived(new Notifications.ObjectCatalogChanged());
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static string Describe(CatalogSnapshot snapshot) => JsonSerializer.Serialize(snapshot.Objects.Select(o => o.ToDto()));

    private static async Task<CatalogSnapshot> LoadAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var types = await db.ObjectTypes.AsNoTracking().Include(o => o.Fields).ToListAsync(cancellationToken);
        return new CatalogSnapshot(types.OrderBy(t => !t.IsBuiltIn).ThenBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Select(TypeInfoOf).ToList());
    }

    // what the snapshot reads from the rows; the audit trail reads a change the same way before it is saved
    private static ObjectTypeInfo TypeInfoOf(ObjectTypeEntity t) =>
        new(t.Name, t.Label, t.RunRules, t.IsBuiltIn, t.Fields.OrderBy(f => f.Position).Select(FieldInfoOf).ToList());

    private static FieldInfo FieldInfoOf(ObjectFieldEntity f) =>
        new(f.Name, f.Label, FieldTypes.TryParse(f.Type, out var type) ? type : FieldType.Text,
            f.ValuesJson is null ? null : JsonSerializer.Deserialize<List<string>>(f.ValuesJson), f.IsBuiltIn, f.AutoNumber);

    private static ObjectFieldEntity ToEntity(string objectName, FieldDto field, int position)
    {
        FieldTypes.TryParse(field.Type, out var type);
        return new ObjectFieldEntity
        {
            ObjectName = objectName,
            Name = field.Name.Trim(),
            Label = string.IsNullOrWhiteSpace(field.Label) ? field.Name.Trim() : field.Label.Trim(),
            Type = FieldTypes.Name(type),
            ValuesJson = type == FieldType.Picklist ? JsonSerializer.Serialize(field.Values!.Select(v => v.Trim()).ToList()) : null,
            Position = position,
        };
    }

    private static void CheckField(Errors errors, string path, FieldDto? field)
    {
        var prefix = path.Length == 0 ? "" : path + ".";
        if (field is null)
        {
            errors.Add(path, "A field is missing.");
            return;
        }
        CheckName(errors, prefix + "name", field.Name?.Trim() ?? "", "A field");
        if (field.Label is { Length: > 100 }) errors.Add(prefix + "label", $"The label of field '{field.Name}' is longer than 100 characters.");
        if (!FieldTypes.TryParse(field.Type, out var type))
        {
            errors.Add(prefix + "type", $"Field '{field.Name}' has type '{field.Type}'; use one of {string.Join(", ", FieldTypes.Names)}.");
            return;
        }
        if (type == FieldType.Picklist)
        {
            var values = field.Values ?? [];
            if (values.Count == 0) errors.Add(prefix + "values", $"Picklist field '{field.Name}' needs at least one value.");
            if (values.Any(v => string.IsNullOrWhiteSpace(v) || v.Trim().Length > 255))
                errors.Add(prefix + "values", $"Picklist field '{field.Name}' has an empty value or one longer than 255 characters.");
            var duplicate = values.GroupBy(v => v?.Trim(), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null) errors.Add(prefix + "values", $"Picklist field '{field.Name}' lists '{duplicate.Key}' twice.");
        }
        else if (field.Values is { Count: > 0 })
        {
            errors.Add(prefix + "values", $"Field '{field.Name}' is {field.Type}; only picklist fields take values.");
        }
    }

    private async Task<string> ConfigWriterAsync(ClaimsPrincipal by, CancellationToken cancellationToken) =>
        (await access.DemandAsync(by, Permissions.ConfigWrite, cancellationToken)).Name;

    private static void CheckName(Errors errors, string key, string name, string what)
    {
        if (name.Length == 0) errors.Add(key, $"{what} needs a name.");
        else if (name.Length > 64 || !NamePattern().IsMatch(name))
            errors.Add(key, $"'{name}' is not a valid name: use letters, digits and underscores, starting with a letter (at most 64).");
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex NamePattern();
}

/// Collects validation messages by key, then throws them together.
internal sealed class Errors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string key, string message)
    {
        if (!_errors.TryGetValue(key, out var list)) _errors[key] = list = [];
        list.Add(message);
    }

    public void ThrowIfAny()
    {
        if (_errors.Count > 0) throw new PortalValidationException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }
}

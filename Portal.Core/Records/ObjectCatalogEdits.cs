using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Rules;

namespace Portal.Core.Records;

/// A change to an object type: what is null stays as it is; an empty label is the name again.
public sealed record ObjectTypeChange(string? Label = null, bool? RunRules = null);

/// A change to a field: what is null stays as it is. `Type` may turn a text field into a picklist (refused while a
/// record holds a value outside `Values`) or a picklist back into text.
public sealed record FieldChange(string? Label = null, string? Type = null, IReadOnlyList<string>? Values = null);

// Editing and removing object types and fields. Each change is checked against what is stored (records, incident links,
// the saved rules) inside the transaction that makes it, audited there, and announced like an added field.
public sealed partial class ObjectCatalog
{
    /// How many records a refusal names before it counts the rest.
    private const int NamedInRefusal = 5;

    public async Task<ObjectTypeInfo> UpdateAsync(string objectName, ObjectTypeChange change, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await UpdateAsync(objectName, change, await ConfigWriterAsync(by, cancellationToken), cancellationToken);

    internal async Task<ObjectTypeInfo> UpdateAsync(string objectName, ObjectTypeChange change, string? by = null, CancellationToken cancellationToken = default)
    {
        var snapshot = await EditAsync(objectName, (db, types, type) =>
        {
            var label = change.Label is null ? type.Label : string.IsNullOrWhiteSpace(change.Label) ? type.Name : change.Label.Trim();
            if (label.Length > 100) throw new PortalValidationException("label", "The label is longer than 100 characters.");
            var changed = false;
            if (label != type.Label)
            {
                db.LogEntries.Add(log.AuditEntry($"Object type {type.Name} relabelled '{label}' by {by ?? "the system"}",
                    new { by, @object = type.Name, before = new { label = type.Label }, after = new { label } }));
                type.Label = label;
                changed = true;
            }
            if (change.RunRules is { } runRules && runRules != type.RunRules)
            {
                db.LogEntries.Add(log.AuditEntry($"Rules on {type.Name} {(runRules ? "turned on" : "turned off")} by {by ?? "the system"}",
                    new { by, @object = type.Name, before = new { runRules = type.RunRules }, after = new { runRules } }));
                type.RunRules = runRules;
                changed = true;
            }
            return Task.FromResult(changed);
        }, cancellationToken);
        return snapshot.Get(objectName);
    }

    public async Task<FieldInfo> UpdateFieldAsync(string objectName, string fieldName, FieldChange change, ClaimsPrincipal by,
        CancellationToken cancellationToken = default) =>
        await UpdateFieldAsync(objectName, fieldName, change, await ConfigWriterAsync(by, cancellationToken), cancellationToken);

    internal async Task<FieldInfo> UpdateFieldAsync(string objectName, string fieldName, FieldChange change, string? by = null,
        CancellationToken cancellationToken = default)
    {
        var snapshot = await EditAsync(objectName, async (db, types, type) =>
        {
            var entity = FieldOf(type, fieldName);
            var before = FieldInfoOf(entity);
            var typeName = change.Type?.Trim() ?? before.TypeName;
            var values = change.Values ?? (typeName == before.TypeName ? before.Values : null);
            var label = change.Label is null ? before.Label : change.Label;
            var errors = new Errors();
            CheckField(errors, "", new FieldDto(before.Name, label, typeName, typeName == "picklist" ? values : change.Values));
            errors.ThrowIfAny();
            FieldTypes.TryParse(typeName, out var fieldType);
            if (fieldType != before.Type && !(before.Type == FieldType.Text && fieldType == FieldType.Picklist)
                && !(before.Type == FieldType.Picklist && fieldType == FieldType.Text))
                throw new PortalValidationException("type", $"Field '{before.Name}' is {before.TypeName}; only a text field can become a picklist, " +
                    "and a picklist text again.");
            if (fieldType == FieldType.Picklist && before.AutoNumber)
                throw new PortalValidationException("type", $"Field '{before.Name}' is numbered automatically; it cannot become a picklist.");

            var after = FieldInfoOf(ToEntity(type.Name, new FieldDto(before.Name, label, typeName, values), entity.Position)) with
            {
                IsBuiltIn = before.IsBuiltIn, AutoNumber = before.AutoNumber,
            };
            if (after.Label == before.Label && after.Type == before.Type && (after.Values ?? []).SequenceEqual(before.Values ?? [])) return false;
            if (fieldType == FieldType.Picklist) await RefuseValuesOutsideAsync(db, type, after, cancellationToken);

            entity.Label = after.Label;
            entity.Type = after.TypeName;
            entity.ValuesJson = after.Type == FieldType.Picklist ? JsonSerializer.Serialize(after.Values) : null;
            db.LogEntries.Add(log.AuditEntry($"Field {type.Name}.{before.Name} changed by {by ?? "the system"}: {Describe(before, after)}",
                new { by, @object = type.Name, before = before.ToDto(), after = after.ToDto() }));
            return true;
        }, cancellationToken);
        return snapshot.Get(objectName).Field(fieldName)!;
    }

    public async Task RemoveFieldAsync(string objectName, string fieldName, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await RemoveFieldAsync(objectName, fieldName, await ConfigWriterAsync(by, cancellationToken), cancellationToken);

    internal async Task RemoveFieldAsync(string objectName, string fieldName, string? by = null, CancellationToken cancellationToken = default)
    {
        await EditAsync(objectName, async (db, types, type) =>
        {
            var entity = FieldOf(type, fieldName);
            var what = $"Field {type.Name}.{entity.Name}";
            if (entity.IsBuiltIn) throw new PortalConflictException("field", $"{what} is built in: it cannot be removed, only relabelled.");
            var holders = db.RecordSortKeys.Where(k => k.ObjectName == type.Name && k.Field == entity.Name);
            var count = await holders.CountAsync(cancellationToken);
            if (count > 0)
            {
                var named = await NamesAsync(db, type, holders.OrderBy(k => k.RecordId).Select(k => k.RecordId).Take(NamedInRefusal), cancellationToken);
                throw new PortalConflictException("field", $"{what} cannot be removed: {Counted.Of(count, "record")} {(count == 1 ? "holds" : "hold")} a value for it " +
                    $"({Listed(named, count)}). Clear the field on those records first.");
            }
            var before = CatalogOf(types);
            type.Fields.Remove(entity);
            db.ObjectFields.Remove(entity);
            await RefuseBrokenRulesAsync(db, before, CatalogOf(types), "field", what, cancellationToken);
            db.LogEntries.Add(log.AuditEntry($"{what} removed by {by ?? "the system"}",
                new { by, @object = type.Name, before = FieldInfoOf(entity).ToDto(), after = (object?)null }));
            return true;
        }, cancellationToken);
    }

    public async Task RemoveAsync(string objectName, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await RemoveAsync(objectName, await ConfigWriterAsync(by, cancellationToken), cancellationToken);

    internal async Task RemoveAsync(string objectName, string? by = null, CancellationToken cancellationToken = default)
    {
        await EditAsync(objectName, async (db, types, type) =>
        {
            var what = $"Object type {type.Name}";
            if (type.IsBuiltIn) throw new PortalConflictException("object", $"{what} is built in: it cannot be removed.");
            var records = await db.Records.CountAsync(r => r.ObjectName == type.Name, cancellationToken);
            if (records > 0)
                throw new PortalConflictException("object", $"{what} cannot be removed: it has {Counted.Of(records, "record")}.");
            var links = await db.IncidentLinks.CountAsync(l => l.ObjectName == type.Name, cancellationToken);
            if (links > 0)
                throw new PortalConflictException("object", $"{what} cannot be removed: {Counted.Of(links, "incident link")} still name it.");
            var before = CatalogOf(types);
            types.Remove(type);
            db.ObjectFields.RemoveRange(type.Fields);
            db.ObjectTypes.Remove(type);
            await RefuseBrokenRulesAsync(db, before, CatalogOf(types), "object", what, cancellationToken);
            if (await db.NumberSequences.FirstOrDefaultAsync(s => s.ObjectName == type.Name, cancellationToken) is { } sequence)
                db.NumberSequences.Remove(sequence);
            db.LogEntries.Add(log.AuditEntry($"{what} removed by {by ?? "the system"}",
                new { by, @object = type.Name, before = TypeInfoOf(type).ToDto(), after = (object?)null }));
            return true;
        }, cancellationToken);
    }

    /// Runs one change on the stored object types under the write lock, in one transaction with its checks: `change`
    /// answers whether it changed anything (then it is saved, with the generation moved, and the new snapshot announced)
    /// or throws to refuse.
    private async Task<CatalogSnapshot> EditAsync(string objectName,
        Func<PortalDbContext, List<ObjectTypeEntity>, ObjectTypeEntity, Task<bool>> change, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // first: a change on another instance waits for this one's commit, and the checks below read what is committed
            await Notifications.ConfigGenerations.BumpAsync(db, Notifications.ConfigGenerations.Objects, cancellationToken);
            var types = await db.ObjectTypes.Include(o => o.Fields).ToListAsync(cancellationToken);
            var type = types.FirstOrDefault(t => t.Name == objectName)
                ?? throw new PortalNotFoundException($"There is no object type '{objectName}'. Known: {string.Join(", ", types.Select(t => t.Name))}.");
            if (!await change(db, types, type)) return await GetAsync(cancellationToken); // rolled back, the generation with it
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return await ReloadAsync(db, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static ObjectFieldEntity FieldOf(ObjectTypeEntity type, string fieldName) =>
        type.Fields.FirstOrDefault(f => f.Name == fieldName)
        ?? throw new PortalNotFoundException($"Object type '{type.Name}' has no field '{fieldName}'. Known: {string.Join(", ", type.Fields.OrderBy(f => f.Position).Select(f => f.Name))}.");

    private static CatalogSnapshot CatalogOf(IEnumerable<ObjectTypeEntity> types) => new(types.Select(TypeInfoOf).ToList());

    /// A picklist takes only its values: every record holding another value for the field is named (up to a few).
    private static async Task RefuseValuesOutsideAsync(PortalDbContext db, ObjectTypeEntity type, FieldInfo picklist, CancellationToken cancellationToken)
    {
        var allowed = new HashSet<string>(picklist.Values ?? [], StringComparer.Ordinal);
        var holders = db.Records.AsNoTracking()
            .Where(r => r.ObjectName == type.Name && db.RecordSortKeys.Any(k => k.RecordId == r.Id && k.Field == picklist.Name))
            .OrderBy(r => r.CreatedUtc).ThenBy(r => r.Id)
            .Select(r => new { r.Id, r.FieldsJson });
        var info = TypeInfoOf(type);
        var outside = new List<string>();
        var count = 0;
        await foreach (var record in holders.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var fields = JsonNode.Parse(record.FieldsJson) as JsonObject;
            var value = fields?[picklist.Name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : fields?[picklist.Name]?.ToJsonString();
            if (value is null || allowed.Contains(value)) continue;
            if (++count > NamedInRefusal) continue;
            var near = picklist.Values?.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase));
            outside.Add($"{info.RecordName(record.Id, fields)} holds '{Shorten(value)}'" + (near is null ? "" : $" (the list has '{near}')"));
        }
        if (count > 0)
            throw new PortalConflictException("values", $"Field {type.Name}.{picklist.Name} cannot take only {string.Join(", ", picklist.Values ?? [])}: " +
                $"{Listed(outside, count)}. Add those values to the list, or change those records first.");
    }

    /// The saved rules must still hold with the object types as they would be: a rule the change would break is named.
    private static async Task RefuseBrokenRulesAsync(PortalDbContext db, CatalogSnapshot before, CatalogSnapshot after, string key, string what,
        CancellationToken cancellationToken)
    {
        var json = await db.RulesetVersions.AsNoTracking().OrderByDescending(v => v.Version).Select(v => v.DocumentJson).FirstOrDefaultAsync(cancellationToken);
        if (json is null) return;
        var document = RulesDocumentJson.Parse(json);
        var already = Problems(document, before).ToHashSet(StringComparer.Ordinal);
        var broken = Problems(document, after).Where(p => !already.Contains(p)).ToList();
        if (broken.Count > 0)
            throw new PortalConflictException(key, $"{what} cannot be removed: the saved rules use it. {string.Join(" ", broken.Take(NamedInRefusal))}" +
                (broken.Count > NamedInRefusal ? $" And {broken.Count - NamedInRefusal} more." : "") + " Change those rules first.");
    }

    private static IEnumerable<string> Problems(RulesDocument document, CatalogSnapshot catalog) =>
        new RulesDocumentValidator(catalog.ToRulesSchema(), checkLimits: false).Validate(document).Errors.Select(e => e.ErrorMessage);

    private static async Task<List<string>> NamesAsync(PortalDbContext db, ObjectTypeEntity type, IQueryable<string> ids, CancellationToken cancellationToken)
    {
        var info = TypeInfoOf(type);
        var records = await db.Records.AsNoTracking().Where(r => ids.Contains(r.Id)).Select(r => new { r.Id, r.FieldsJson }).ToListAsync(cancellationToken);
        return records.Select(r => info.RecordName(r.Id, JsonNode.Parse(r.FieldsJson) as JsonObject)).Order(StringComparer.Ordinal).ToList();
    }

    private static string Listed(IReadOnlyList<string> named, int count) =>
        string.Join(", ", named) + (count > named.Count ? $" and {count - named.Count} more" : "");

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";

    private static string Describe(FieldInfo before, FieldInfo after)
    {
        var parts = new List<string>();
        if (before.Label != after.Label) parts.Add($"label '{before.Label}' → '{after.Label}'");
        if (before.Type != after.Type) parts.Add($"type {before.TypeName} → {after.TypeName}");
        if (after.Type == FieldType.Picklist && !(before.Values ?? []).SequenceEqual(after.Values ?? []))
            parts.Add($"values {string.Join(", ", after.Values ?? [])}");
        return string.Join("; ", parts);
    }
}

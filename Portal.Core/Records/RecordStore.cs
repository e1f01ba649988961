using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Links;
using Portal.Core.Persistence;
using Portal.Core.Security;

namespace Portal.Core.Records;

/// A record in the contract's JSON shape.
public sealed record RecordDto(
    string Id, string Object, JsonObject Fields, DateTime CreatedUtc, DateTime UpdatedUtc, IReadOnlyList<IncidentLinkDto> Incidents,
    string? CreatedBy = null, string? UpdatedBy = null);

public sealed record RecordList(IReadOnlyList<RecordDto> Records, int Total);

/// A page of records: newest first unless `SortBy` names a field (or `createdUtc` / `updatedUtc`).
public sealed record RecordQuery(int Limit = 25, int Offset = 0, string? Search = null, string? SortBy = null, bool Descending = true)
{
    public const int MaxLimit = 200;
}

public sealed record CommentDto(Guid Id, string RecordId, string Body, string Author, DateTime CreatedUtc, string Source);

/// A comment was added to a record; handlers run inside the same transaction (note sync, rules on comments).
public sealed record RecordComment(ObjectTypeInfo Type, string RecordId, CommentDto Comment, ChangeActor Actor);

public interface IRecordCommentHandler
{
    Task OnCommentAddedAsync(RecordComment comment, PortalDbContext db, CancellationToken cancellationToken);
}

/// Creates, changes and reads records. Every create or change is validated against the object's fields first
/// (nothing is written when any value is wrong) and hands one `RecordChange` to the registered handlers inside the
/// same transaction. A create, change or comment for a caller is records.write, checked for the caller now
/// (AccessCheck); the unchecked ones, with a `ChangeActor`, are for rules, PagerDuty's events, sample data and tests.
public sealed class RecordStore(
    IDbContextFactory<PortalDbContext> dbFactory,
    ObjectCatalog catalog,
    IEnumerable<IRecordChangeHandler> changeHandlers,
    IEnumerable<IRecordCommentHandler> commentHandlers,
    Notifications.ChangeNotifier notifier,
    TimeProvider clock,
    AccessCheck access)
{
    public const int MaxCommentLength = 32_000;
    private const int MaxConcurrencyRetries = 5;

    public async Task<RecordDto> CreateAsync(string objectName, JsonElement fields, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await CreateAsync(objectName, fields, await WriterAsync(by, cancellationToken), cancellationToken);

    internal async Task<RecordDto> CreateAsync(string objectName, JsonElement fields, ChangeActor actor, CancellationToken cancellationToken = default) =>
        (await CreateOnceAsync(objectName, fields, submissionKey: null, actor, cancellationToken)).Record;

    /// Creates a record once for `submissionKey` (a form's submission id, an API caller's `Idempotency-Key`): the same
    /// key sent again, on any circuit or instance, answers the record it made (`Replayed`) and makes nothing, its rules
    /// included; sent with other values it is refused.
    public async Task<(RecordDto Record, bool Replayed)> CreateOnceAsync(string objectName, JsonElement fields, string submissionKey, ClaimsPrincipal by,
        CancellationToken cancellationToken = default) =>
        await CreateOnceAsync(objectName, fields, submissionKey, await WriterAsync(by, cancellationToken), cancellationToken);

    internal async Task<(RecordDto Record, bool Replayed)> CreateOnceAsync(string objectName, JsonElement fields, string? submissionKey, ChangeActor actor,
        CancellationToken cancellationToken = default)
    {
        var type = (await catalog.GetAsync(cancellationToken)).Get(objectName);
        var values = RecordValues.Validate(type, fields);
        var submission = submissionKey is null ? null : RecordSubmission.For(submissionKey, actor.Name, type.Name, values);
        if (submission is not null && await SubmittedAsync(submission, cancellationToken) is { } earlier) return (earlier, true);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var (dto, _) = await CreateAsync(db, type, values, actor, cancellationToken, submission: submission);
            return (dto, false);
        }
        catch (DbUpdateException) when (submission is not null)
        {
            // the same submission, sent at the same moment on another circuit or instance, took the unique index first
            if (await SubmittedAsync(submission, cancellationToken) is { } made) return (made, true);
            throw;
        }
    }

    /// The record that submission `key` made, or null.
    public Task<RecordDto?> SubmittedAsync(string key, CancellationToken cancellationToken = default) =>
        SubmittedAsync(key, hash: null, cancellationToken);

    private Task<RecordDto?> SubmittedAsync(RecordSubmission submission, CancellationToken cancellationToken) =>
        SubmittedAsync(submission.Key, submission.Hash, cancellationToken);

    /// With `hash`, a record the key made from other values (or for another caller) is refused.
    private async Task<RecordDto?> SubmittedAsync(string key, string? hash, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = await db.Records.AsNoTracking().FirstOrDefaultAsync(r => r.SubmissionKey == key, cancellationToken);
        if (entity is null) return null;
        var fields = Parse(entity.FieldsJson);
        if (hash is not null && entity.SubmissionHash != hash)
        {
            var type = (await catalog.GetAsync(cancellationToken)).Find(entity.ObjectName);
            throw RecordSubmission.Reused(key, type?.RecordName(entity.Id, fields) ?? $"{entity.ObjectName} {entity.Id}");
        }
        return ToDto(entity, fields, await IncidentLinks.ForRecordAsync(db, entity.Id, cancellationToken));
    }

    /// Creates a record inside the caller's unit of work (rules' `createRecord`): the caller saves. Live pages learn of
    /// the change once that unit of work commits.
    /// `beforeRules` runs once the record is stored and before the change's rules run (a PagerDuty rule links the new
    /// record to its incident there, so that "create an incident if none is linked" sees the link).
    public async Task<(RecordDto Record, RecordChange Change)> CreateAsync(
        PortalDbContext db, ObjectTypeInfo type, IReadOnlyDictionary<string, JsonNode?> values, ChangeActor actor, CancellationToken cancellationToken,
        Func<string, Task>? beforeRules = null, RecordSubmission? submission = null)
    {
        var ownTransaction = db.Database.CurrentTransaction is null;
        await using var transaction = ownTransaction ? await db.Database.BeginTransactionAsync(cancellationToken) : null;

        var given = new JsonObject();
        foreach (var (name, value) in values)
            if (value is not null) given[name] = value.DeepClone();
        if (type.NumberField is { } numberField && given[numberField.Name] is null)
            given[numberField.Name] = await NextNumberAsync(db, type.Name, cancellationToken);
        var fields = InFieldOrder(type, given);

        var now = clock.GetUtcNow().UtcDateTime;
        var entity = new RecordEntity
        {
            Id = Guid.CreateVersion7().ToString("N"),
            ObjectName = type.Name,
            FieldsJson = fields.ToJsonString(),
            SearchText = RecordValues.SearchText(fields),
            CreatedUtc = now,
            UpdatedUtc = now,
            CreatedBy = actor.Name,
            UpdatedBy = actor.Name,
            SubmissionKey = submission?.Key,
            SubmissionHash = submission?.Hash,
        };
        db.Records.Add(entity);
        foreach (var (name, node) in fields) db.RecordSortKeys.Add(SortKey(type, entity.Id, name, node));

        // stored before the rules run: a second submit of the same form meets the unique index before any rule plans anything
        if (beforeRules is not null || submission is not null) await db.SaveChangesAsync(cancellationToken);
        if (beforeRules is not null)
        {
            await beforeRules(entity.Id);
            await db.SaveChangesAsync(cancellationToken);
        }
        var change = new RecordChange(type, entity.Id, IsInsert: true, new JsonObject(), (JsonObject)fields.DeepClone(), actor);
        foreach (var handler in changeHandlers) await handler.OnRecordChangedAsync(change, db, cancellationToken);
        notifier.AfterCommit(db, change);
        if (ownTransaction)
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction!.CommitAsync(cancellationToken);
        }
        return (ToDto(entity, fields, []), change);
    }

    public async Task<RecordDto> UpdateAsync(string objectName, string id, JsonElement fields, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await UpdateAsync(objectName, id, fields, await WriterAsync(by, cancellationToken), cancellationToken);

    internal async Task<RecordDto> UpdateAsync(string objectName, string id, JsonElement fields, ChangeActor actor, CancellationToken cancellationToken = default)
    {
        var type = (await catalog.GetAsync(cancellationToken)).Get(objectName);
        var values = RecordValues.Validate(type, fields);
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var (dto, change) = await UpdateAsync(db, type, id, values, actor, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return dto;
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxConcurrencyRetries)
            {
                // someone changed the record between our read and our write: merge again onto the new values
            }
        }
    }

    /// Changes some fields of a record inside the caller's unit of work (rules' `setField`): the caller saves. Live
    /// pages learn of the change once that unit of work commits.
    /// Returns no change when every value is already as given.
    public async Task<(RecordDto Record, RecordChange? Change)> UpdateAsync(
        PortalDbContext db, ObjectTypeInfo type, string id, IReadOnlyDictionary<string, JsonNode?> values, ChangeActor actor,
        CancellationToken cancellationToken)
    {
        var entity = await db.Records.FirstOrDefaultAsync(r => r.Id == id && r.ObjectName == type.Name, cancellationToken)
            ?? throw new PortalNotFoundException($"There is no {type.Name} record '{id}'.");
        var old = Parse(entity.FieldsJson);
        var fields = (JsonObject)old.DeepClone();
        var changed = new List<string>();
        foreach (var (name, value) in values)
        {
            if (JsonNode.DeepEquals(fields[name], value)) continue;
            if (value is null) fields.Remove(name);
            else fields[name] = value.DeepClone();
            changed.Add(name);
        }
        var incidents = await IncidentLinks.ForRecordAsync(db, id, cancellationToken);
        if (changed.Count == 0) return (ToDto(entity, fields, incidents), null);
        fields = InFieldOrder(type, fields);

        entity.FieldsJson = fields.ToJsonString();
        entity.SearchText = RecordValues.SearchText(fields);
        entity.UpdatedUtc = clock.GetUtcNow().UtcDateTime;
        entity.UpdatedBy = actor.Name;
        entity.Version++;
        var keys = await db.RecordSortKeys.Where(k => k.RecordId == id && changed.Contains(k.Field)).ToListAsync(cancellationToken);
        db.RecordSortKeys.RemoveRange(keys);
        foreach (var name in changed)
            if (fields[name] is { } node) db.RecordSortKeys.Add(SortKey(type, id, name, node));

        var change = new RecordChange(type, id, IsInsert: false, old, (JsonObject)fields.DeepClone(), actor);
        foreach (var handler in changeHandlers) await handler.OnRecordChangedAsync(change, db, cancellationToken);
        notifier.AfterCommit(db, change);
        return (ToDto(entity, fields, incidents), change);
    }

    public async Task<RecordDto> GetAsync(string objectName, string id, CancellationToken cancellationToken = default)
    {
        var type = (await catalog.GetAsync(cancellationToken)).Get(objectName);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = await db.Records.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id && r.ObjectName == type.Name, cancellationToken)
            ?? throw new PortalNotFoundException($"There is no {type.Name} record '{id}'.");
        return ToDto(entity, Parse(entity.FieldsJson), await IncidentLinks.ForRecordAsync(db, id, cancellationToken));
    }

    /// The object type of record `id` (ids are unique across types), or null when there is no such record.
    public async Task<string?> ObjectOfAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Records.AsNoTracking().Where(r => r.Id == id).Select(r => r.ObjectName).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<RecordList> ListAsync(string objectName, RecordQuery query, CancellationToken cancellationToken = default)
    {
        var type = (await catalog.GetAsync(cancellationToken)).Get(objectName);
        if (query.Limit is < 1 or > RecordQuery.MaxLimit)
            throw new PortalValidationException("limit", $"'limit' must be between 1 and {RecordQuery.MaxLimit}.");
        if (query.Offset < 0) throw new PortalValidationException("offset", "'offset' must be 0 or more.");

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var records = db.Records.AsNoTracking().Where(r => r.ObjectName == type.Name);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var needle = query.Search.Trim().ToLowerInvariant();
            records = records.Where(r => r.SearchText.Contains(needle));
        }
        var total = await records.CountAsync(cancellationToken);
        var ordered = Order(db, type, records, query);
        var page = await ordered.Skip(query.Offset).Take(query.Limit).ToListAsync(cancellationToken);

        var ids = page.Select(r => r.Id).ToList();
        var links = await db.IncidentLinks.AsNoTracking().Where(l => ids.Contains(l.RecordId)).ToListAsync(cancellationToken);
        var linksByRecord = links.GroupBy(l => l.RecordId).ToDictionary(g => g.Key, g => g.Select(IncidentLinkDto.From).ToList());
        return new RecordList(
            page.Select(r => ToDto(r, Parse(r.FieldsJson), linksByRecord.GetValueOrDefault(r.Id) ?? [])).ToList(), total);
    }

    public async Task<CommentDto> AddCommentAsync(string objectName, string id, string body, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await AddCommentAsync(objectName, id, body, await WriterAsync(by, cancellationToken), cancellationToken: cancellationToken);

    internal async Task<CommentDto> AddCommentAsync(string objectName, string id, string body, ChangeActor actor,
        string source = CommentSources.Portal, string? pagerDutyNoteId = null, CancellationToken cancellationToken = default)
    {
        var type = (await catalog.GetAsync(cancellationToken)).Get(objectName);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var comment = await AddCommentAsync(db, type, id, body, actor, source, pagerDutyNoteId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return comment;
    }

    /// Adds a comment inside the caller's unit of work (the processing of a PagerDuty note): the caller saves.
    public async Task<CommentDto> AddCommentAsync(PortalDbContext db, ObjectTypeInfo type, string id, string body, ChangeActor actor,
        string source, string? pagerDutyNoteId, CancellationToken cancellationToken)
    {
        body = body?.Trim() ?? "";
        if (body.Length == 0) throw new PortalValidationException("body", "A comment needs some text in 'body'.");
        if (body.Length > MaxCommentLength) throw new PortalValidationException("body", $"A comment is at most {MaxCommentLength} characters.");
        if (!await db.Records.AnyAsync(r => r.Id == id && r.ObjectName == type.Name, cancellationToken))
            throw new PortalNotFoundException($"There is no {type.Name} record '{id}'.");
        var entity = new RecordCommentEntity
        {
            Id = Guid.CreateVersion7(),
            RecordId = id,
            Body = body,
            Author = actor.Name,
            CreatedUtc = clock.GetUtcNow().UtcDateTime,
            Source = source,
            PagerDutyNoteId = pagerDutyNoteId,
        };
        db.RecordComments.Add(entity);
        var comment = ToDto(entity);
        foreach (var handler in commentHandlers)
            await handler.OnCommentAddedAsync(new RecordComment(type, id, comment, actor), db, cancellationToken);
        return comment;
    }

    private async Task<ChangeActor> WriterAsync(ClaimsPrincipal by, CancellationToken cancellationToken) =>
        new((await access.DemandAsync(by, Permissions.RecordsWrite, cancellationToken)).Name);

    public async Task<IReadOnlyList<CommentDto>> ListCommentsAsync(string objectName, string id, CancellationToken cancellationToken = default)
    {
        var type = (await catalog.GetAsync(cancellationToken)).Get(objectName);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Records.AnyAsync(r => r.Id == id && r.ObjectName == type.Name, cancellationToken))
            throw new PortalNotFoundException($"There is no {type.Name} record '{id}'.");
        var comments = await db.RecordComments.AsNoTracking().Where(c => c.RecordId == id)
            .OrderByDescending(c => c.CreatedUtc).ToListAsync(cancellationToken);
        return comments.Select(ToDto).ToList();
    }

    private static IQueryable<RecordEntity> Order(PortalDbContext db, ObjectTypeInfo type, IQueryable<RecordEntity> records, RecordQuery query)
    {
        var sortBy = query.SortBy;
        if (string.IsNullOrEmpty(sortBy) || sortBy == "createdUtc")
            return query.Descending ? records.OrderByDescending(r => r.CreatedUtc).ThenByDescending(r => r.Id)
                : records.OrderBy(r => r.CreatedUtc).ThenBy(r => r.Id);
        if (sortBy == "updatedUtc")
            return query.Descending ? records.OrderByDescending(r => r.UpdatedUtc).ThenByDescending(r => r.Id)
                : records.OrderBy(r => r.UpdatedUtc).ThenBy(r => r.Id);

        var field = type.Field(sortBy) ?? throw new PortalValidationException("sort", $"Cannot sort by '{sortBy}': object '{type.Name}' has no such field.");
        var keyed = from r in records
                    join k in db.RecordSortKeys.Where(k => k.Field == field.Name) on r.Id equals k.RecordId into keys
                    from k in keys.DefaultIfEmpty()
                    select new { r, Text = k == null ? null : k.Text, Number = k == null ? null : k.Number };
        var sorted = field.Type == Rules.FieldType.Number
            ? (query.Descending ? keyed.OrderByDescending(x => x.Number) : keyed.OrderBy(x => x.Number))
            : (query.Descending ? keyed.OrderByDescending(x => x.Text) : keyed.OrderBy(x => x.Text));
        return sorted.ThenByDescending(x => x.r.CreatedUtc).Select(x => x.r);
    }

    private static async Task<JsonNode> NextNumberAsync(PortalDbContext db, string objectName, CancellationToken cancellationToken) =>
        JsonValue.Create(Format(await NumberSequences.TakeAsync(db, objectName, 1, cancellationToken)));

    private static string Format(long number) => number.ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    private static RecordSortKeyEntity SortKey(ObjectTypeInfo type, string recordId, string name, JsonNode? node)
    {
        var (text, number) = RecordValues.SortKey(type.Field(name)!, node);
        return new RecordSortKeyEntity { RecordId = recordId, ObjectName = type.Name, Field = name, Text = text, Number = number };
    }

    /// Fields in the order the object type lists them, so that every answer reads the same way.
    private static JsonObject InFieldOrder(ObjectTypeInfo type, JsonObject fields)
    {
        var ordered = new JsonObject();
        foreach (var field in type.Fields)
            if (fields[field.Name] is { } node) ordered[field.Name] = node.DeepClone();
        return ordered;
    }

    private static JsonObject Parse(string json) => JsonNode.Parse(json) as JsonObject ?? new JsonObject();

    private static RecordDto ToDto(RecordEntity entity, JsonObject fields, IReadOnlyList<IncidentLinkDto> incidents) =>
        new(entity.Id, entity.ObjectName, fields, entity.CreatedUtc, entity.UpdatedUtc, incidents, entity.CreatedBy, entity.UpdatedBy);

    private static CommentDto ToDto(RecordCommentEntity comment) =>
        new(comment.Id, comment.RecordId, comment.Body, comment.Author, comment.CreatedUtc, comment.Source);
}

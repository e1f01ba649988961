using System.Security.Claims;
using System.Text.Json;
using Portal.Core;
using Portal.Core.Links;
using Portal.Core.Records;
using Portal.Core.Security;
using Portal.Security;

namespace Portal.Endpoints;

/// Contract section 2: object types, records, comments; and unlinking an incident from a record.
public static class ObjectEndpoints
{
    public static IEndpointRouteBuilder MapObjectEndpoints(this IEndpointRouteBuilder app)
    {
        var objects = app.MapGroup("/api/objects").WithCurrentConfiguration();

        objects.MapGet("", async (ObjectCatalog catalog, CancellationToken ct) =>
            TypedResults.Ok(new { objects = (await catalog.GetAsync(ct)).Objects.Select(o => o.ToDto()) }))
            .RequireAuthorization(Permissions.Read);

        objects.MapPost("", async (HttpRequest request, ClaimsPrincipal user, ObjectCatalog catalog, CancellationToken ct) =>
        {
            var input = Deserialize<ObjectTypeDto>(await JsonBody.ReadAsync(request));
            var created = await catalog.DefineAsync(input, user, ct);
            return TypedResults.Created($"/api/objects/{created.Name}", created.ToDto());
        }).RequireAuthorization(Permissions.ConfigWrite);

        objects.MapPost("/{objectName}/fields", async (string objectName, HttpRequest request, ClaimsPrincipal user, ObjectCatalog catalog, CancellationToken ct) =>
        {
            var input = Deserialize<FieldDto>(await JsonBody.ReadAsync(request));
            var created = await catalog.AddFieldAsync(objectName, input, user, ct);
            return TypedResults.Created($"/api/objects/{objectName}", created.ToDto());
        }).RequireAuthorization(Permissions.ConfigWrite);

        // Contract section 2.1, extended: an object type's label and runRules, a field's label, values and text ↔ picklist;
        // removing what nothing uses (409 naming what still does)
        objects.MapPatch("/{objectName}", async (string objectName, HttpRequest request, ClaimsPrincipal user, ObjectCatalog catalog, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync(request);
            var input = Deserialize<ObjectTypeChange>(Only(body, "label", "runRules"));
            var changed = await catalog.UpdateAsync(objectName, input, user, ct);
            return TypedResults.Ok(changed.ToDto());
        }).RequireAuthorization(Permissions.ConfigWrite);

        objects.MapDelete("/{objectName}", async (string objectName, ClaimsPrincipal user, ObjectCatalog catalog, CancellationToken ct) =>
        {
            await catalog.RemoveAsync(objectName, user, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(Permissions.ConfigWrite);

        objects.MapPatch("/{objectName}/fields/{fieldName}", async (string objectName, string fieldName, HttpRequest request, ClaimsPrincipal user,
            ObjectCatalog catalog, CancellationToken ct) =>
        {
            var input = Deserialize<FieldChange>(Only(await JsonBody.ReadAsync(request), "label", "type", "values"));
            return TypedResults.Ok((await catalog.UpdateFieldAsync(objectName, fieldName, input, user, ct)).ToDto());
        }).RequireAuthorization(Permissions.ConfigWrite);

        objects.MapDelete("/{objectName}/fields/{fieldName}", async (string objectName, string fieldName, ClaimsPrincipal user, ObjectCatalog catalog,
            CancellationToken ct) =>
        {
            await catalog.RemoveFieldAsync(objectName, fieldName, user, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(Permissions.ConfigWrite);

        var records = objects.MapGroup("/{objectName}/records");

        records.MapPost("", async (string objectName, HttpRequest request, ClaimsPrincipal user, RecordStore store, CancellationToken ct) =>
        {
            var fields = JsonBody.Required(await JsonBody.ReadAsync(request), "fields", JsonValueKind.Object);
            var keys = request.Headers[RecordSubmission.Field];
            if (keys.Count > 1) throw new PortalValidationException(RecordSubmission.Field, $"Send one '{RecordSubmission.Field}' header, not {keys.Count}.");
            var (record, replayed) = keys.Count == 0 ? (await store.CreateAsync(objectName, fields, user, ct), false)
                : await store.CreateOnceAsync(objectName, fields, keys[0]!, user, ct);
            // the answer to a key sent again is the record it made, as it is now; nothing was created
            if (replayed) request.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
            return TypedResults.Created($"/api/objects/{record.Object}/records/{record.Id}", record);
        }).RequireAuthorization(Permissions.RecordsWrite);

        records.MapPatch("/{id}", async (string objectName, string id, HttpRequest request, ClaimsPrincipal user, RecordStore store, CancellationToken ct) =>
        {
            var fields = JsonBody.Required(await JsonBody.ReadAsync(request), "fields", JsonValueKind.Object);
            return TypedResults.Ok(await store.UpdateAsync(objectName, id, fields, user, ct));
        }).RequireAuthorization(Permissions.RecordsWrite);

        records.MapGet("/{id}", async (string objectName, string id, RecordStore store, CancellationToken ct) =>
            TypedResults.Ok(await store.GetAsync(objectName, id, ct)))
            .RequireAuthorization(Permissions.Read);

        records.MapGet("", async (string objectName, int? limit, int? offset, string? q, string? sort, bool? desc, RecordStore store, CancellationToken ct) =>
        {
            var page = await store.ListAsync(objectName, new RecordQuery(limit ?? 25, offset ?? 0, q, sort, desc ?? true), ct);
            return TypedResults.Ok(new { records = page.Records, total = page.Total });
        }).RequireAuthorization(Permissions.Read);

        records.MapPost("/{id}/comments", async (string objectName, string id, HttpRequest request, ClaimsPrincipal user, RecordStore store, CancellationToken ct) =>
        {
            var body = JsonBody.Required(await JsonBody.ReadAsync(request), "body", JsonValueKind.String);
            var comment = await store.AddCommentAsync(objectName, id, body.GetString()!, user, ct);
            return TypedResults.Created($"/api/objects/{objectName}/records/{id}/comments", comment);
        }).RequireAuthorization(Permissions.RecordsWrite);

        records.MapGet("/{id}/comments", async (string objectName, string id, RecordStore store, CancellationToken ct) =>
            TypedResults.Ok(new { comments = await store.ListCommentsAsync(objectName, id, ct) }))
            .RequireAuthorization(Permissions.Read);

        records.MapDelete("/{id}/incidents/{incidentId}", async Task<IResult> (string objectName, string id, string incidentId,
            ClaimsPrincipal user, RecordStore store, IncidentLinks links, CancellationToken ct) =>
        {
            await store.GetAsync(objectName, id, ct);
            return await links.UnlinkAsync(id, incidentId, user, ct)
                ? TypedResults.NoContent()
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                    detail: $"Record '{id}' is not linked to incident '{incidentId}'.");
        }).RequireAuthorization(Permissions.LinksDelete);

        return app;
    }

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// A change names only what it may change: `name` or `fields` in a PATCH is a 400, not silently ignored.
    private static JsonElement Only(JsonElement body, params string[] allowed)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new Core.PortalValidationException("body", "The body must be a JSON object.");
        var errors = body.EnumerateObject().Where(p => !allowed.Contains(p.Name, StringComparer.OrdinalIgnoreCase)).DistinctBy(p => p.Name)
            .ToDictionary(p => p.Name, p => new[] { $"'{p.Name}' cannot be changed here; send only {string.Join(", ", allowed.Select(a => $"'{a}'"))}." });
        if (errors.Count > 0) throw new Core.PortalValidationException(errors);
        return body;
    }

    private static T Deserialize<T>(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new Core.PortalValidationException("body", "The body must be a JSON object.");
        try
        {
            return body.Deserialize<T>(s_json) ?? throw new Core.PortalValidationException("body", "The body is empty.");
        }
        catch (JsonException e)
        {
            throw new Core.PortalValidationException(e.Path?.TrimStart('$', '.') is { Length: > 0 } path ? path : "body",
                $"The body does not have the expected shape at {e.Path}: {e.Message}");
        }
    }
}

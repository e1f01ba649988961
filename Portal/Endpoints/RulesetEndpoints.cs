using System.Security.Claims;
using Portal.Core;
using Portal.Core.Rulesets;
using Portal.Core.Security;

namespace Portal.Endpoints;

/// Contract section 3: the rules document, all or nothing; its versions; the dry-run.
public static class RulesetEndpoints
{
    public const string VersionHeader = "Portal-Rules-Version";

    public static IEndpointRouteBuilder MapRulesetEndpoints(this IEndpointRouteBuilder app)
    {
        var rulesets = app.MapGroup("/api/rulesets").WithCurrentConfiguration();

        rulesets.MapGet("", async (HttpContext context, RulesetStore store, CancellationToken ct) =>
        {
            var (version, document) = await store.CurrentAsync(ct);
            context.Response.Headers[VersionHeader] = version.ToString();
            return Results.Text(RulesetStore.Serialize(document), "application/json");
        }).RequireAuthorization(Permissions.Read);

        rulesets.MapGet("/export", async (RulesetStore store, CancellationToken ct) =>
        {
            var (_, document) = await store.CurrentAsync(ct);
            return Results.File(System.Text.Encoding.UTF8.GetBytes(RulesetStore.Serialize(document)), "application/json", "rules.json");
        }).RequireAuthorization(Permissions.Read);

        rulesets.MapPut("", async (HttpContext context, ClaimsPrincipal user, RulesetStore store, CancellationToken ct) =>
        {
            // `?note=` (optional): the caller's note, kept with the version and shown in the Rulesets tab's History
            var notes = context.Request.Query["note"];
            if (notes.Count > 1) throw new PortalValidationException("note", $"The query gives 'note' {notes.Count} times; give it once.");
            var body = await JsonBody.ReadAsync(context.Request);
            var saved = await store.SaveAsync(body.GetRawText(), user, "Replaced through the API", notes.Count == 1 ? notes[0] : null, ct);
            var (_, document) = await store.CurrentAsync(ct);
            context.Response.Headers[VersionHeader] = saved.Version.ToString();
            return Results.Text(RulesetStore.Serialize(document), "application/json");
        }).RequireAuthorization(Permissions.RulesWrite);

        rulesets.MapPost("/dry-run", async (HttpRequest request, RulesDryRun dryRun, CancellationToken ct) =>
        {
            var result = await dryRun.RunAsync(await JsonBody.ReadAsync(request), ct);
            return TypedResults.Ok(result);
        }).RequireAuthorization(Permissions.Read);

        rulesets.MapGet("/versions", async (RulesetStore store, CancellationToken ct) =>
            TypedResults.Ok(new { versions = await store.VersionsAsync(ct) }))
            .RequireAuthorization(Permissions.Read);

        rulesets.MapGet("/versions/{version:long}", async (long version, RulesetStore store, CancellationToken ct) =>
            Results.Text(await store.VersionJsonAsync(version, ct), "application/json"))
            .RequireAuthorization(Permissions.Read);

        rulesets.MapPost("/versions/{version:long}/restore", async (long version, HttpContext context, ClaimsPrincipal user, RulesetStore store,
            CancellationToken ct) =>
        {
            var saved = await store.RestoreAsync(version, user, ct);
            context.Response.Headers[VersionHeader] = saved.Version.ToString();
            return TypedResults.Ok(saved);
        }).RequireAuthorization(Permissions.RulesWrite);

        return app;
    }
}

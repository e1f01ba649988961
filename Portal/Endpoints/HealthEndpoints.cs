using Portal.Core.Persistence;

namespace Portal.Endpoints;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", async Task<IResult> (DatabaseMigrator database, CancellationToken cancellationToken) =>
        {
            try
            {
                if (await database.CanConnectAsync(cancellationToken)) return TypedResults.Ok(new { status = "ready" });
            }
            catch (Exception)
            {
                // the answer below says it; the database's own error stays in the server log
            }
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Database unavailable",
                detail: "The portal cannot reach its database.");
        }).AllowAnonymous();
        return app;
    }
}

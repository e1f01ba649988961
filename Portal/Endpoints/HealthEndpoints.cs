using Portal.Core.Persistence;

namespace Portal.Endpoints;

public static partial class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", async Task<IResult> (DatabaseMigrator database, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        {
            try
            {
                if (await database.CanConnectAsync(cancellationToken)) return TypedResults.Ok(new { status = "ready" });
            }
            catch (Exception e)
            {
                // the answer below says it; the database's own error goes to the server log only
                LogNotReady(loggers.CreateLogger(typeof(HealthEndpoints)), e);
            }
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Database unavailable",
                detail: "The portal cannot reach its database.");
        }).AllowAnonymous();
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness check: the database did not answer")]
    private static partial void LogNotReady(ILogger logger, Exception error);
}

using Portal.Core.Persistence;

namespace Portal.Endpoints;

public static partial class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", async Task<IResult> (DatabaseReadiness database, Portal.Core.Webhooks.WebhookLag lag, ILoggerFactory loggers,
            CancellationToken cancellationToken) =>
        {
            var readiness = await database.CheckAsync(cancellationToken);
            if (readiness.Ready)
            {
                // how far processing is behind the intake: ready all the same (the deliveries are stored), but said
                var reading = await lag.ReadAsync(cancellationToken);
                return TypedResults.Ok(new
                {
                    status = "ready",
                    details = new
                    {
                        webhookLagSeconds = Math.Round(reading.Lag.TotalSeconds, 1), webhooksWaiting = reading.Waiting,
                        webhookLagWarningSeconds = reading.Threshold.TotalSeconds, webhookLagOverThreshold = reading.OverThreshold,
                    },
                });
            }
            // the answer says what is wrong in Portal's words; the database's own error stays out of it
            LogNotReady(loggers.CreateLogger(typeof(HealthEndpoints)), readiness.Problem!);
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Database unavailable",
                detail: $"The portal cannot write to its database. {readiness.Problem}");
        }).AllowAnonymous();
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Readiness check: {Problem}")]
    private static partial void LogNotReady(ILogger logger, string problem);
}

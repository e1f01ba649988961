using System.Globalization;
using Portal.Core;
using Portal.Core.Logging;
using Portal.Core.Security;
using LogLevel = Portal.Core.Logging.LogLevel;

namespace Portal.Endpoints;

/// `GET /api/logs`: newest first; `level` keeps that level and above.
public static class LogEndpoints
{
    public static IEndpointRouteBuilder MapLogEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/logs", async (string? level, string? category, string? since, string? until, int? limit, int? offset, string? text,
            Guid? correlationId, string? recordId, string? incidentId, IntegrationLog log, CancellationToken ct) =>
        {
            var query = new LogQuery(ParseLevel(level), ParseCategory(category), ParseTime(since, "since"), ParseTime(until, "until"), text,
                correlationId, recordId, incidentId, limit ?? 100, offset ?? 0);
            var (entries, total) = await log.QueryAsync(query, ct);
            return TypedResults.Ok(new { entries, total });
        }).RequireAuthorization(Permissions.Read);
        return app;
    }

    public static LogLevel? ParseLevel(string? level) =>
        string.IsNullOrWhiteSpace(level) ? null
        : Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
        : throw new PortalValidationException("level", $"'level' is '{level}'; use Debug, Info, Warning or Error.");

    private static string? ParseCategory(string? category) =>
        string.IsNullOrWhiteSpace(category) ? null
        : LogCategories.All.Contains(category) ? category
        : throw new PortalValidationException("category", $"'category' is '{category}'; use one of {string.Join(", ", LogCategories.All)}.");

    private static DateTime? ParseTime(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? null
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.UtcDateTime
        : throw new PortalValidationException(name, $"'{name}' is not an ISO 8601 date and time.");
}

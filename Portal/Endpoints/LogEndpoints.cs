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

        // "Dry-run again": the event a logged webhook or record change carried, ready for POST /api/rulesets/dry-run.
        app.MapGet("/api/logs/{id:long}/dry-run-event", async (long id, Portal.Core.Rulesets.DryRunReplay replay, CancellationToken ct) =>
            TypedResults.Ok(new { @event = await replay.EventAsync(id, ct) }))
            .RequireAuthorization(Permissions.Read);

        // The log viewer's export of its filtered view (at most 10,000 entries, newest first).
        app.MapGet("/api/logs/export", async (string? format, string? level, string? category, string? since, string? until, string? text,
            Guid? correlationId, string? recordId, string? incidentId, IntegrationLog log, CancellationToken ct) =>
        {
            var query = new LogQuery(ParseLevel(level), ParseCategory(category), ParseTime(since, "since"), ParseTime(until, "until"), text,
                correlationId, recordId, incidentId, Limit: 1000);
            var entries = new List<LogEntryDto>();
            for (var offset = 0; offset < 10_000; offset += 1000)
            {
                var (page, _) = await log.QueryAsync(query with { Offset = offset }, ct);
                entries.AddRange(page);
                if (page.Count < 1000) break;
            }
            return (format ?? "json").ToLowerInvariant() switch
            {
                "csv" => Results.File(System.Text.Encoding.UTF8.GetBytes(Csv(entries)), "text/csv", "portal-logs.csv"),
                "json" => Results.File(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { entries }, System.Text.Json.JsonSerializerOptions.Web),
                    "application/json", "portal-logs.json"),
                _ => throw new PortalValidationException("format", "'format' is csv or json."),
            };
        }).RequireAuthorization(Permissions.Read);
        return app;
    }

    private static string Csv(IEnumerable<LogEntryDto> entries)
    {
        // A spreadsheet runs a cell that starts like a formula (a message can hold a caller's text): such a cell starts with ' instead.
        static string Cell(string? value) =>
            value is null ? "" : "\"" + (value is ['=' or '+' or '-' or '@' or '\t' or '\r', ..] ? "'" + value : value).Replace("\"", "\"\"") + "\"";
        var csv = new System.Text.StringBuilder("timeUtc,level,category,message,correlationId,recordId,incidentId,details\n");
        foreach (var e in entries)
            csv.Append(string.Join(',', Cell(e.TimeUtc.ToString("O")), Cell(e.Level), Cell(e.Category), Cell(e.Message), Cell(e.CorrelationId?.ToString()),
                Cell(e.RecordId), Cell(e.IncidentId), Cell(e.Details?.GetRawText()))).Append('\n');
        return csv.ToString();
    }

    public static LogLevel? ParseLevel(string? level) =>
        string.IsNullOrWhiteSpace(level) ? null
        : Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
        : throw new PortalValidationException("level", $"'level' is '{level}'; use Debug, Info, Warning or Error.");

    private static string? ParseCategory(string? category) =>
        string.IsNullOrWhiteSpace(category) ? null
        : LogCategories.All.Contains(LogCategories.Normalize(category)) ? LogCategories.Normalize(category)
        : throw new PortalValidationException("category", $"'category' is '{category}'; use one of {string.Join(", ", LogCategories.All)}.");

    private static DateTime? ParseTime(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? null
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.UtcDateTime
        : throw new PortalValidationException(name, $"'{name}' is not an ISO 8601 date and time.");
}

using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Portal.Core;

namespace Portal.Endpoints;

/// Turns the core's "bad input", "forbidden" and "not found" into RFC 7807 answers; anything else stays a 500 without details.
internal sealed class ApiExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        IResult? result = exception switch
        {
            PortalValidationException e => TypedResults.ValidationProblem(
                e.Errors.ToDictionary(p => p.Key, p => p.Value), detail: e.Message, title: "The request is not valid"),
            // the service's own check refused a caller whom the endpoint's policy let through (the account changed meanwhile)
            PortalForbiddenException e => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Permission denied", detail: e.Message),
            PortalNotFoundException e => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: e.Message),
            RequestBodyTooLargeException e => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large", detail: e.Message),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TypedResults.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large", detail: "The request body is too large."),
            BadHttpRequestException e => TypedResults.Problem(statusCode: e.StatusCode, title: "Bad request", detail: e.Message),
            _ => null,
        };
        if (result is null) return false;
        await result.ExecuteAsync(context);
        return true;
    }
}

public sealed class RequestBodyTooLargeException(long limit) : Exception($"The request body is larger than {limit / 1024} KiB.");

/// Reads a JSON request body with a size cap, naming what is wrong when it is not JSON of the expected shape.
public static class JsonBody
{
    public const int DefaultLimit = 1024 * 1024;

    public static async Task<JsonElement> ReadAsync(HttpRequest request, int limit = DefaultLimit)
    {
        if (request.ContentLength > limit) throw new RequestBodyTooLargeException(limit);
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && !type.Contains("+json", StringComparison.OrdinalIgnoreCase))
            throw new PortalValidationException("body", $"Send the body as application/json, not {type}.");

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit) throw new RequestBodyTooLargeException(limit);
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) throw new PortalValidationException("body", "The request has no body; send a JSON object.");
        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new PortalValidationException("body", $"The body is not valid JSON: {e.Message}");
        }
    }

    /// The named property of a JSON object body, or a 400 naming it.
    public static JsonElement Required(JsonElement body, string property, JsonValueKind kind)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw new PortalValidationException("body", "The body must be a JSON object.");
        if (!body.TryGetProperty(property, out var value) || value.ValueKind != kind)
            throw new PortalValidationException(property, $"The body needs '{property}' as a JSON {kind.ToString().ToLowerInvariant()}.");
        return value;
    }
}

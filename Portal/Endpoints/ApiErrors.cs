using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Net.Http.Headers;
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
            PortalConflictException e => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "In use", detail: e.Message,
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [e.Field] = [e.Message] } }),
            RequestBodyTooLargeException e => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large", detail: e.Message),
            UnsupportedContentTypeException e => TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: e.Message),
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

public sealed class UnsupportedContentTypeException(string? contentType) : Exception(
    string.IsNullOrEmpty(contentType)
        ? "The request has no Content-Type; send the body as 'application/json' (or 'application/json; charset=utf-8')."
        : $"The body is sent as '{contentType}'; send it as 'application/json' (or 'application/json; charset=utf-8').");

/// Reads a JSON request body with a size cap, naming what is wrong when it is not JSON of the expected shape.
public static class JsonBody
{
    public const int DefaultLimit = 1024 * 1024;

    public static async Task<JsonElement> ReadAsync(HttpRequest request, int limit = DefaultLimit)
    {
        if (!IsJson(request.ContentType)) throw new UnsupportedContentTypeException(request.ContentType);
        if (request.ContentLength > limit) throw new RequestBodyTooLargeException(limit);

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit) throw new RequestBodyTooLargeException(limit);
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) throw new PortalValidationException("body", "The request has no body; send a JSON object.");
        var json = buffer.ToArray();
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            RefuseUndecodableStrings(json);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new PortalValidationException("body", $"The body is not valid JSON: {e.Message}");
        }
    }

    // Exactly the contract's type: 'text/plain; x=+json' is what a cross-site form can send without asking first.
    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type)
        && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        && type.Parameters.Count switch
        {
            0 => true,
            1 => type.Parameters[0].Name.Equals("charset", StringComparison.OrdinalIgnoreCase)
                 && HeaderUtilities.RemoveQuotes(type.Parameters[0].Value).Equals("utf-8", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };

    // JsonDocument accepts a string of invalid UTF-8, or one escaping a lone surrogate, and the first GetString on it
    // throws, deep in whatever reads the body: every string is decoded here once, and a bad one named by where it starts.
    private static void RefuseUndecodableStrings(byte[] json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) continue;
            try
            {
                reader.GetString();
            }
            catch (InvalidOperationException)
            {
                var start = (int)reader.TokenStartIndex;
                var lineStart = Array.LastIndexOf(json, (byte)'\n', Math.Max(start - 1, 0)) + 1;
                var line = json.AsSpan(0, start).Count((byte)'\n');
                throw new JsonException($"The {(reader.TokenType == JsonTokenType.PropertyName ? "property name" : "string")} that starts at " +
                    $"LineNumber: {line} | BytePositionInLine: {start - lineStart} is not valid UTF-8 or holds a lone surrogate.", null, line, start - lineStart);
            }
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

using Microsoft.AspNetCore.Http.Features;
using Portal.Core.Webhooks;

namespace Portal.Endpoints;

/// Contract section 5: `POST /api/webhooks/pagerduty`. Authenticated by its signature, not by a token.
public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/webhooks/pagerduty", async Task<IResult> (HttpContext context, WebhookIntake intake, CancellationToken ct) =>
        {
            // the body's own bytes are capped while reading; Kestrel's limit counts a chunked body's framing too, so a
            // body sent in small chunks gets room for that framing (at most 6 bytes of it per byte, 1-byte chunks)
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = context.Request.ContentLength is null ? 8L * WebhookIntake.MaxBodyBytes : WebhookIntake.MaxBodyBytes + 1;
            var body = await ReadCappedAsync(context.Request, WebhookIntake.MaxBodyBytes + 1, ct);
            var result = body is null
                ? intake.RefuseTooLarge()
                : await intake.AcceptAsync(body, context.Request.Headers["X-PagerDuty-Signature"].ToString(),
                    context.Request.Headers["X-Webhook-Id"].ToString(), ct);
            return result.Outcome switch
            {
                IntakeOutcome.Accepted or IntakeOutcome.Duplicate or IntakeOutcome.Ignored => TypedResults.Accepted((string?)null, new { status = result.Outcome.ToString().ToLowerInvariant() }),
                IntakeOutcome.Malformed => Problem(StatusCodes.Status400BadRequest, "Bad webhook", result.Message),
                IntakeOutcome.Forbidden => Problem(StatusCodes.Status403Forbidden, "Signature does not match", result.Message),
                IntakeOutcome.TooLarge => Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", result.Message),
                _ => Problem(StatusCodes.Status503ServiceUnavailable, "Try again later", result.Message),
            };
        }).AllowAnonymous();
        return app;
    }

    private static IResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);

    /// Reads at most `limit` bytes; null when the body is longer, without buffering the rest.
    private static async Task<byte[]?> ReadCappedAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit - 1) return null;
        var buffer = new byte[Math.Min(limit, (int?)request.ContentLength + 1 ?? 16 * 1024)];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= limit) return null;
                    Array.Resize(ref buffer, Math.Min(limit, buffer.Length * 2));
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0) break;
                length += read;
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        return length >= limit ? null : buffer[..length];
    }
}

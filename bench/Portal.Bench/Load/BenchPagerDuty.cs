using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.Bench.Load;

/// A benchmark copy, much simplified, of Portal.Tests/PagerDuty/FakePagerDutyServer.cs: only `POST /incidents`,
/// answered 201 at once with a valid incident body. It checks what PagerDuty checks on that call
/// (`Authorization: Token token=<key>`, the v2 `Accept`, a `From` header, a known service, an open incident with the
/// same `incident_key`) and refuses the way PagerDuty does. Every request is stamped with `Stopwatch.GetTimestamp()`
/// when its handler starts, before the body is read. `Hold()` makes requests wait (unanswered) until `Release()`.
public sealed class BenchPagerDuty : IAsyncDisposable
{
    public const string AcceptHeader = "application/vnd.pagerduty+json;version=2";
    public const string ServiceId = "PNE3JZM";

    private readonly WebApplication _app;
    private readonly string _apiKey;
    private readonly string _fromEmail;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _openKeys = [];
    private readonly ConcurrentDictionary<string, int> _refusals = new();
    private TaskCompletionSource? _hold;
    private long _nextNumber = 1;

    private BenchPagerDuty(WebApplication app, string apiKey, string fromEmail)
    {
        _app = app;
        _apiKey = apiKey;
        _fromEmail = fromEmail;
        app.Run(HandleAsync);
    }

    public static async Task<BenchPagerDuty> StartAsync(string apiKey, string fromEmail)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "BenchPagerDuty" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var server = new BenchPagerDuty(builder.Build(), apiKey, fromEmail);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// Each created incident's title with the timestamp at which its POST /incidents arrived.
    public ConcurrentQueue<(string Title, long Arrived)> Created { get; } = new();

    /// Every request that was not a successful POST /incidents: "status reason" → count.
    public IReadOnlyDictionary<string, int> Refusals => _refusals;

    public int Requests => _requests;
    private int _requests;

    public void Hold()
    {
        lock (_gate) _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Release()
    {
        TaskCompletionSource? hold;
        lock (_gate)
        {
            hold = _hold;
            _hold = null;
        }
        hold?.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2))) await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var arrived = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _requests);
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        Task? hold;
        lock (_gate) hold = _hold?.Task;
        if (hold is not null)
        {
            try
            {
                await hold.WaitAsync(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                Refuse("aborted by the client while held");
                return;
            }
        }

        var (status, answer) = Handle(request, body, arrived);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(answer);
    }

    private (int, string) Handle(HttpRequest request, string body, long arrived)
    {
        if (request.Headers.Authorization.ToString() != "Token token=" + _apiKey) return Refuse("401 Authentication failed", 401, "Authentication failed", 2006);
        if (request.Headers.Accept.ToString() != AcceptHeader) return Refuse("406 Accept", 406, "Not Acceptable", 2001);
        if (request.Method != "POST" || request.Path.Value?.Trim('/') != "incidents") return Refuse($"404 {request.Method} {request.Path}", 404, "Not Found", 2100);
        if (!string.Equals(request.Headers["From"].ToString(), _fromEmail, StringComparison.OrdinalIgnoreCase))
            return Refuse("400 From", 400, "You must specify a user's email address in the \"From\" header", 2001);
        if (request.ContentType?.Split(';')[0].Trim() != "application/json") return Refuse("415 Content-Type", 415, "Unsupported Media Type", 2001);

        JsonObject? incident;
        try
        {
            incident = (JsonNode.Parse(body) as JsonObject)?["incident"] as JsonObject;
        }
        catch (JsonException)
        {
            incident = null;
        }
        if (incident is null || incident["type"]?.GetValue<string>() != "incident") return Refuse("400 body", 400, "Invalid Input Provided", 2001);
        var title = incident["title"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(title)) return Refuse("400 title", 400, "Invalid Input Provided", 2001);
        if ((incident["service"] as JsonObject)?["id"]?.GetValue<string>() != ServiceId) return Refuse("400 service", 400, "Invalid Input Provided", 2001);
        var key = incident["incident_key"]?.GetValue<string>();
        long number;
        lock (_gate)
        {
            if (key is not null && !_openKeys.Add(key))
                return Refuse("400 duplicate incident_key", 400, "Invalid Input Provided", 2001);
            number = _nextNumber++;
        }
        Created.Enqueue((title, arrived));

        var id = "Q" + number.ToString("D13", CultureInfo.InvariantCulture);
        var created = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var answer = new JsonObject
        {
            ["incident"] = new JsonObject
            {
                ["id"] = id,
                ["type"] = "incident",
                ["summary"] = $"[#{number}] {title}",
                ["self"] = $"https://api.pagerduty.com/incidents/{id}",
                ["html_url"] = $"https://portal-bench.pagerduty.com/incidents/{id}",
                ["incident_number"] = number,
                ["title"] = title,
                ["created_at"] = created,
                ["status"] = "triggered",
                ["incident_key"] = key,
                ["service"] = new JsonObject { ["id"] = ServiceId, ["type"] = "service_reference", ["summary"] = "Checkout" },
                ["assignments"] = new JsonArray(),
                ["assigned_via"] = "escalation_policy",
                ["resolved_at"] = null,
                ["escalation_policy"] = new JsonObject { ["id"] = "PT20YPA", ["type"] = "escalation_policy_reference", ["summary"] = "Checkout on call" },
                ["teams"] = new JsonArray(),
                ["priority"] = null,
                ["urgency"] = incident["urgency"]?.GetValue<string>() ?? "high",
            },
        };
        return (201, answer.ToJsonString());
    }

    private (int, string) Refuse(string reason, int status = 0, string message = "", int code = 0)
    {
        _refusals.AddOrUpdate(reason, 1, (_, n) => n + 1);
        return (status, new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["code"] = code } }.ToJsonString());
    }
}

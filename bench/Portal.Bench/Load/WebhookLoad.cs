using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Portal.Core.Webhooks;

namespace Portal.Bench.Load;

/// `--webhook-load`: the webhook intake of a real portal process under load, over loopback.
/// Distinct signed `incident.triggered` deliveries (the captured aldaviva delivery with a unique `event.id`, incident id
/// and number, and a unique `X-Webhook-Id`), signed `v1=` + hex HMAC-SHA256 of the exact bytes, posted over
/// `connections` HTTP/1.1 connections. Phases: warm-up (not counted); open loop at a fixed rate (answer times measured
/// from each delivery's scheduled send time, so queueing in the client counts); closed loop with every connection
/// busy (accepted/s). Only 202 answers whose body says "accepted" count; every other answer is reported. The SQLite
/// commit ceiling on the same disk is measured before the portal starts and after it stops.
public static class WebhookLoad
{
    internal const string Secret = "bench-webhook-signing-secret-0123456789";
    private const string TemplateEventId = "01FKZSRAPTMF55RE69G8BQHGC6";
    private const string TemplateIncidentId = "Q2CKYRLH85UNN4";

    public static async Task RunAsync(string[] args)
    {
        var connections = LoadCommon.Option(args, "--connections", 32);
        var closedSeconds = LoadCommon.Option(args, "--closed-seconds", 20);
        var rate = LoadCommon.Option(args, "--rate", 500);
        var openSeconds = LoadCommon.Option(args, "--open-seconds", 20);
        var maxDeliveries = LoadCommon.Option(args, "--max-deliveries", 100_000);
        var template = Template();
        var runTag = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);

        LoadCommon.Say($"webhook load: {connections} connections, open loop {rate}/s for {openSeconds} s, closed loop {closedSeconds} s (at most {maxDeliveries:N0} deliveries)");
        LoadCommon.SayUptime("before");
        LoadCommon.SqliteCeiling("before the portal starts");

        await using (var portal = await PortalProcess.StartAsync("webhooks", new Dictionary<string, string> { ["PagerDuty__WebhookSecrets__0"] = Secret }))
        {
            using var http = new HttpClient(new SocketsHttpHandler
            {
                MaxConnectionsPerServer = connections,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                UseCookies = false,
            }) { BaseAddress = new Uri(PortalProcess.Url), Timeout = TimeSpan.FromSeconds(60) };

            var nextDelivery = Deliveries(template, runTag, maxDeliveries);

            // warm-up: JIT on both sides, the 32 connections opened; not counted
            var warm = await ClosedLoopAsync(http, nextDelivery, connections, TimeSpan.FromSeconds(4), 1_500);
            LoadCommon.Say($"warm-up: {warm.Describe()}");
            await DrainAsync(portal, "after warm-up");

            LoadCommon.SayUptime("before the open loop");
            var open = await OpenLoopAsync(http, nextDelivery, rate, TimeSpan.FromSeconds(openSeconds));
            LoadCommon.Say($"open loop {rate}/s for {openSeconds} s: {open.Describe()}");
            LoadCommon.Say($"  answer time from the scheduled send: {LoadCommon.Distribution(open.FromScheduled)}");
            LoadCommon.Say($"  answer time from the actual send:    {LoadCommon.Distribution(open.FromSent)}");
            LoadCommon.SayUptime("after the open loop");
            await DrainAsync(portal, "after the open loop");

            LoadCommon.SayUptime("before the closed loop");
            var closed = await ClosedLoopAsync(http, nextDelivery, connections, TimeSpan.FromSeconds(closedSeconds), maxDeliveries);
            LoadCommon.Say($"closed loop, {connections} connections busy for {closedSeconds} s: {closed.Describe()}");
            LoadCommon.Say(string.Create(CultureInfo.InvariantCulture, $"  accepted/s: {closed.Accepted / closed.Elapsed.TotalSeconds:N0}"));
            LoadCommon.Say($"  answer time: {LoadCommon.Distribution(closed.FromSent)}");
            LoadCommon.SayUptime("after the closed loop");
            await DrainAsync(portal, "after the closed loop");

            var stored = LoadCommon.CountRows(portal.DatabaseFile, "SELECT COUNT(*) FROM WebhookEvents");
            var accepted = warm.Accepted + open.Accepted + closed.Accepted;
            LoadCommon.Say($"durably stored: {stored:N0} rows in WebhookEvents against {accepted:N0} 'accepted' answers " +
                $"({(stored == accepted ? "equal" : "DIFFERENT")})");
        }
        LoadCommon.SqliteCeiling("after the portal stopped");
        LoadCommon.SayUptime("after");
    }

    internal static string Template() =>
        File.ReadAllText(Path.Combine(LoadCommon.RepoRoot(), "Portal.Tests/Webhooks/TestData/aldaviva.incident.triggered.json"));

    /// Distinct signed `incident.triggered` deliveries: unique event id, incident id and number, and `X-Webhook-Id`.
    internal static Func<Delivery> Deliveries(string template, string runTag, int maxDeliveries)
    {
        var next = -1;
        return () =>
        {
            var n = Interlocked.Increment(ref next);
            if (n >= maxDeliveries) return default;
            var eventId = $"BENCH{runTag}{n:D15}";
            var incidentId = $"QB{n:D12}";
            var text = template.Replace(TemplateEventId, eventId, StringComparison.Ordinal)
                .Replace(TemplateIncidentId, incidentId, StringComparison.Ordinal)
                .Replace("\"number\":37", $"\"number\":{n + 1000}", StringComparison.Ordinal);
            var body = Encoding.UTF8.GetBytes(text);
            return new Delivery(body, WebhookSignature.Sign(body, Secret), $"bench-{runTag}-{n}");
        };
    }

    /// Waits (at most 120 s) until the portal's background processing has taken every stored event, so that one
    /// phase's backlog does not run into the next; reports how long that took.
    internal static async Task DrainAsync(PortalProcess portal, string when)
    {
        var clock = Stopwatch.StartNew();
        var start = LoadCommon.CountRows(portal.DatabaseFile, "SELECT COUNT(*) FROM WebhookEvents WHERE State = 'pending'");
        long pending = start;
        while (pending > 0 && clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(250);
            pending = LoadCommon.CountRows(portal.DatabaseFile, "SELECT COUNT(*) FROM WebhookEvents WHERE State = 'pending'");
        }
        LoadCommon.Say(FormattableString.Invariant($"processing backlog {when}: {start:N0} pending events, {pending:N0} left after {clock.Elapsed.TotalSeconds:0.0} s") +
            (start > 0 && clock.Elapsed.TotalSeconds > 0.5 ? FormattableString.Invariant($" (about {(start - pending) / clock.Elapsed.TotalSeconds:N0} processed/s)") : ""));
    }

    internal static async Task<PhaseResult> ClosedLoopAsync(HttpClient http, Func<Delivery> nextDelivery, int workers, TimeSpan duration, int maxCount)
    {
        var result = new PhaseResult();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration && Interlocked.Increment(ref sent) <= maxCount)
            {
                var delivery = nextDelivery();
                if (delivery.Body is null) return;
                await SendAsync(http, delivery, Stopwatch.GetTimestamp(), result);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        result.Elapsed = clock.Elapsed;
        return result;
    }

    internal static async Task<PhaseResult> OpenLoopAsync(HttpClient http, Func<Delivery> nextDelivery, int rate, TimeSpan duration)
    {
        var result = new PhaseResult();
        var total = (int)(rate * duration.TotalSeconds);
        var tasks = new List<Task>(total);
        var start = result.Start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / rate);
            while (Stopwatch.GetTimestamp() < due) await Task.Delay(1);
            var delivery = nextDelivery();
            if (delivery.Body is null) break;
            tasks.Add(SendAsync(http, delivery, due, result));
        }
        await Task.WhenAll(tasks);
        result.Elapsed = Stopwatch.GetElapsedTime(start);
        return result;
    }

    private static async Task SendAsync(HttpClient http, Delivery delivery, long scheduled, PhaseResult result)
    {
        using var content = new ByteArrayContent(delivery.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/pagerduty") { Content = content };
        request.Headers.Add("X-PagerDuty-Signature", delivery.Signature);
        request.Headers.Add("X-Webhook-Id", delivery.WebhookId);
        request.Headers.UserAgent.ParseAdd("PagerDuty-Webhook/V3.0");
        var sent = Stopwatch.GetTimestamp();
        string outcome;
        try
        {
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var answered = Stopwatch.GetTimestamp();
            var code = (int)response.StatusCode;
            outcome = code == 202 && text.Contains("\"accepted\"", StringComparison.Ordinal) ? "202 accepted"
                : code == 202 ? "202 " + text : $"{code} {text[..Math.Min(text.Length, 200)]}";
            if (outcome == "202 accepted")
            {
                Interlocked.Increment(ref result.Accepted);
                result.FromSent.Add(LoadCommon.Ms(sent, answered));
                result.FromScheduled.Add(LoadCommon.Ms(scheduled, answered));
                if (result.Start != 0) result.BySecond.Add(((int)(LoadCommon.Ms(result.Start, scheduled) / 1000), LoadCommon.Ms(scheduled, answered)));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            outcome = "no answer: " + e.GetType().Name + ": " + e.Message;
        }
        result.Outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
    }

    internal readonly record struct Delivery(byte[] Body, string Signature, string WebhookId);

    internal sealed class PhaseResult
    {
        public int Accepted;
        public TimeSpan Elapsed;
        /// The open loop's start; answers are also kept by the second they were scheduled in, to show when stalls happen.
        public long Start;
        public ConcurrentBag<(int Second, double Ms)> BySecond { get; } = [];
        public ConcurrentBag<double> FromSent { get; } = [];
        public ConcurrentBag<double> FromScheduled { get; } = [];
        public ConcurrentDictionary<string, int> Outcomes { get; } = new();

        /// The slowest answer of each second of the open loop.
        public string Timeline() => string.Join(" ", BySecond.GroupBy(a => a.Second).OrderBy(g => g.Key)
            .Select(g => g.Max(a => a.Ms).ToString("0", System.Globalization.CultureInfo.InvariantCulture)));

        public string Describe() => FormattableString.Invariant($"{Outcomes.Values.Sum():N0} sent in {Elapsed.TotalSeconds:0.00} s; answers: ") +
            string.Join("; ", Outcomes.OrderByDescending(o => o.Value).Select(o => FormattableString.Invariant($"{o.Key} ×{o.Value:N0}")));
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Portal.Bench.Load;

/// `--dispatch-load`: from a record change to the PagerDuty call, on a real portal process pointed at a local fake
/// PagerDuty (BenchPagerDuty, in this process, so both ends read the same Stopwatch). One rule: every new Case creates
/// an incident on service PNE3JZM. Phases: warm-up; cases created at a fixed rate (latency from the record POST being
/// sent to its POST /incidents arriving at the fake); cases created as fast as 32 connections allow (how fast the
/// incidents arrive); the same with the fake holding its first call until every case is stored (the dispatcher's own
/// drain rate). Each phase fits in PagerDuty's 960 requests a minute, which the portal's budget enforces, and waits for
/// the last one's window to clear. The SQLite commit ceiling on the same disk is measured before the portal starts and after it stops.
public static class DispatchLoad
{
    private const string ApiKey = "bench_pd_key_y_NbAkKc66ryYTWU";
    private const string FromEmail = "integration@portal.test";
    private const string Token = "bench-api-token-0123456789abcdefghijklmnopqrstuvwxyz";

    private const string Rules = """
        {"schemaVersion":1,"rulesets":[{"name":"bench","enabled":true,"rules":[{"name":"An incident for every new case","object":"Case",
         "runOn":"recordCreateOrUpdate","when":"all","conditions":[],"executeFor":"newOnly",
         "actions":[{"type":"createIncident","serviceId":"PNE3JZM"}]}]}]}
        """;

    public static async Task RunAsync(string[] args)
    {
        var rate = LoadCommon.Option(args, "--rate", 50);
        // PagerDuty takes 960 requests a minute per key, and the portal's budget holds every caller to that in any
        // 60-second window (contract section 6): each phase stays inside one window, and the next waits for it to clear
        var seconds = LoadCommon.Option(args, "--seconds", 15);
        var bulk = LoadCommon.Option(args, "--bulk", 900);
        var connections = LoadCommon.Option(args, "--connections", 32);
        var lowRate = LoadCommon.Option(args, "--low-rate", 0);
        LoadCommon.Say($"dispatch load: {rate} cases/s for {seconds} s, then {bulk:N0} cases as fast as {connections} connections allow (twice: fake answering, fake holding)");
        LoadCommon.SayUptime("before");
        LoadCommon.SqliteCeiling("before the portal starts");

        await using (var fake = await BenchPagerDuty.StartAsync(ApiKey, FromEmail))
        {
            LoadCommon.Say($"fake PagerDuty at {fake.BaseUrl}");
            await using var portal = await PortalProcess.StartAsync("dispatch", new Dictionary<string, string>
            {
                ["PagerDuty__ApiKey"] = ApiKey,
                ["PagerDuty__BaseUrl"] = fake.BaseUrl.ToString(),
                ["PagerDuty__FromEmail"] = FromEmail,
                ["ApiTokens__0__Name"] = "bench",
                ["ApiTokens__0__Token"] = Token,
                ["ApiTokens__0__Role"] = "Administrator",
                // the dispatcher's share may be all of PagerDuty's 960 (the budget caps it there)
                ["Dispatch__RequestsPerMinute"] = "960",
            });
            using var http = new HttpClient(new SocketsHttpHandler
            {
                MaxConnectionsPerServer = connections,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                UseCookies = false,
            }) { BaseAddress = new Uri(PortalProcess.Url), Timeout = TimeSpan.FromSeconds(60) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

            using (var me = await http.GetAsync("/api/me")) LoadCommon.Say($"GET /api/me: {(int)me.StatusCode} {await me.Content.ReadAsStringAsync()}");
            using (var put = await http.PutAsync("/api/rulesets", new StringContent(Rules, Encoding.UTF8, "application/json")))
            {
                var text = await put.Content.ReadAsStringAsync();
                LoadCommon.Say($"PUT /api/rulesets: {(int)put.StatusCode} ({text.Length} characters of rules document back)");
                if (!put.IsSuccessStatusCode) throw new InvalidOperationException("The rules document was refused.");
            }

            var arrivals = new Arrivals(fake);

            // warm-up: JIT on both sides and the connections; not counted
            var warm = await OpenLoopAsync(http, "W", 10, 40);
            await arrivals.WaitAsync(warm.Sent.Keys, TimeSpan.FromSeconds(60));
            LoadCommon.Say($"warm-up: {warm.Describe()}");

            if (lowRate > 0)
            {
                // the same path without queueing: few enough cases that the dispatcher is idle when each arrives
                LoadCommon.SayUptime("before the low rate");
                var low = await OpenLoopAsync(http, "S", lowRate, lowRate * 10);
                var lost = await arrivals.WaitAsync(low.Sent.Keys, TimeSpan.FromSeconds(60));
                LoadCommon.Say($"low rate {lowRate}/s for 10 s: {low.Describe()}; incidents missing after waiting: {lost}");
                LoadCommon.Say($"  record POST answer time:                  {LoadCommon.Distribution(low.Answered.Values)}");
                LoadCommon.Say($"  record POST sent -> POST /incidents arrived: {LoadCommon.Distribution(low.Sent.Select(s => arrivals.LatencyMs(s.Key, s.Value)).OfType<double>())}");
            }

            LoadCommon.SayUptime("before the fixed rate");
            var steady = await OpenLoopAsync(http, "L", rate, rate * seconds);
            var missing = await arrivals.WaitAsync(steady.Sent.Keys, TimeSpan.FromSeconds(120));
            LoadCommon.Say($"fixed rate {rate}/s for {seconds} s: {steady.Describe()}; incidents missing after waiting: {missing}");
            LoadCommon.Say($"  record POST answer time:                  {LoadCommon.Distribution(steady.Answered.Values)}");
            LoadCommon.Say($"  record POST sent -> POST /incidents arrived: {LoadCommon.Distribution(steady.Sent.Select(s => arrivals.LatencyMs(s.Key, s.Value)).OfType<double>())}");
            LoadCommon.SayUptime("after the fixed rate");

            await WindowClearsAsync();
            LoadCommon.SayUptime("before the bulk create (fake answering)");
            var start = Stopwatch.GetTimestamp();
            var bulkRun = await ClosedLoopAsync(http, "T", bulk, connections);
            var createdAt = Stopwatch.GetTimestamp();
            missing = await arrivals.WaitAsync(bulkRun.Sent.Keys, TimeSpan.FromSeconds(300));
            ReportBulk("bulk create, fake answering", bulkRun, arrivals, start, createdAt, missing);
            LoadCommon.SayUptime("after the bulk create (fake answering)");

            await WindowClearsAsync();
            LoadCommon.SayUptime("before the bulk create (fake holding)");
            fake.Hold();
            start = Stopwatch.GetTimestamp();
            var drainRun = await ClosedLoopAsync(http, "D", bulk, connections);
            createdAt = Stopwatch.GetTimestamp();
            var pending = LoadCommon.CountRows(portal.DatabaseFile, "SELECT COUNT(*) FROM PlannedActions WHERE State IN ('pending', 'inFlight')");
            LoadCommon.Say($"all {bulk:N0} cases stored in {LoadCommon.Ms(start, createdAt) / 1000:0.00} s while the fake held its calls; " +
                $"{pending:N0} planned actions not done yet; releasing");
            var released = Stopwatch.GetTimestamp();
            fake.Release();
            missing = await arrivals.WaitAsync(drainRun.Sent.Keys, TimeSpan.FromSeconds(300));
            ReportBulk("bulk create, fake holding then released (drain)", drainRun, arrivals, start, createdAt, missing, released);
            LoadCommon.SayUptime("after the drain");

            var states = string.Join(", ", new[] { "pending", "inFlight", "succeeded", "deadLettered", "discarded" }.Select(s =>
                $"{s} {LoadCommon.CountRows(portal.DatabaseFile, $"SELECT COUNT(*) FROM PlannedActions WHERE State = '{s}'"):N0}"));
            var all = LoadCommon.CountRows(portal.DatabaseFile, "SELECT COUNT(*) FROM PlannedActions");
            LoadCommon.Say($"planned actions: {all:N0} ({states}); fake: {fake.Requests:N0} requests, {fake.Created.Count:N0} incidents created, refusals: " +
                (fake.Refusals.Count == 0 ? "none" : string.Join("; ", fake.Refusals.Select(r => $"{r.Key} ×{r.Value}"))));
        }
        LoadCommon.SqliteCeiling("after the portal stopped");
        LoadCommon.SayUptime("after");
    }

    /// Waits out the request budget's window (60 s and the 2 s send allowance), so that the next phase has all of
    /// PagerDuty's 960 requests and measures the portal rather than the budget.
    private static async Task WindowClearsAsync()
    {
        LoadCommon.Say("waiting 63 s for the 960-a-minute request window to clear");
        await Task.Delay(TimeSpan.FromSeconds(63));
    }

    private static void ReportBulk(string name, Phase run, Arrivals arrivals, long start, long createdAt, int missing, long? released = null)
    {
        var times = run.Sent.Keys.Select(arrivals.ArrivedAt).OfType<long>().Order().ToArray();
        var creates = run.Sent.Count / (LoadCommon.Ms(start, createdAt) / 1000);
        LoadCommon.Say($"{name}: {run.Describe()}; {run.Sent.Count / 1.0:N0} cases created in {LoadCommon.Ms(start, createdAt) / 1000:0.00} s " +
            FormattableString.Invariant($"({creates:N0} creates/s); incidents missing after waiting: {missing}"));
        if (times.Length < 2) return;
        var firstToLast = LoadCommon.Ms(times[0], times[^1]) / 1000;
        LoadCommon.Say(FormattableString.Invariant(
            $"  {times.Length:N0} POST /incidents arrived; first to last {firstToLast:0.00} s = {(times.Length - 1) / firstToLast:N0} actions/s; ") +
            FormattableString.Invariant($"first case sent to last incident {LoadCommon.Ms(start, times[^1]) / 1000:0.00} s = {times.Length / (LoadCommon.Ms(start, times[^1]) / 1000):N0} actions/s end to end; ") +
            FormattableString.Invariant($"after the last case was created: {times.Count(t => t > createdAt):N0} arrived in {Math.Max(0, LoadCommon.Ms(createdAt, times[^1])) / 1000:0.00} s"));
        if (released is { } r)
        {
            var after = times.Where(t => t >= r).ToArray();
            if (after.Length > 1)
            {
                var span = LoadCommon.Ms(r, after[^1]) / 1000;
                LoadCommon.Say(FormattableString.Invariant($"  drain after release: {after.Length:N0} arrived in {span:0.00} s = {after.Length / span:N0} actions/s"));
            }
        }
    }

    private static async Task<Phase> OpenLoopAsync(HttpClient http, string tag, int rate, int count)
    {
        var phase = new Phase();
        var tasks = new List<Task>(count);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / rate);
            while (Stopwatch.GetTimestamp() < due) await Task.Delay(1);
            tasks.Add(CreateAsync(http, $"bench {tag}{i}", phase));
        }
        await Task.WhenAll(tasks);
        return phase;
    }

    private static async Task<Phase> ClosedLoopAsync(HttpClient http, string tag, int count, int workers)
    {
        var phase = new Phase();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count) await CreateAsync(http, $"bench {tag}{i}", phase);
        })));
        return phase;
    }

    private static async Task CreateAsync(HttpClient http, string subject, Phase phase)
    {
        var body = new JsonObject { ["fields"] = new JsonObject { ["Subject"] = subject } }.ToJsonString();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        string outcome;
        var sent = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.PostAsync("/api/objects/Case/records", content);
            var text = await response.Content.ReadAsStringAsync();
            var answered = Stopwatch.GetTimestamp();
            outcome = (int)response.StatusCode == 201 ? "201" : $"{(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}";
            if (outcome == "201")
            {
                phase.Sent[subject] = sent;
                phase.Answered[subject] = LoadCommon.Ms(sent, answered);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            outcome = "no answer: " + e.Message;
        }
        phase.Outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
    }

    private sealed class Phase
    {
        public ConcurrentDictionary<string, long> Sent { get; } = new();
        public ConcurrentDictionary<string, double> Answered { get; } = new();
        public ConcurrentDictionary<string, int> Outcomes { get; } = new();

        public string Describe() => "record POST answers: " +
            string.Join("; ", Outcomes.OrderByDescending(o => o.Value).Select(o => FormattableString.Invariant($"{o.Key} ×{o.Value:N0}")));
    }

    /// The fake's arrivals by incident title (= the case's Subject, since the action has no title).
    private sealed class Arrivals(BenchPagerDuty fake)
    {
        private readonly Dictionary<string, long> _first = [];
        private int _seen;

        public long? ArrivedAt(string title)
        {
            Pull();
            lock (_first) return _first.TryGetValue(title, out var t) ? t : null;
        }

        public double? LatencyMs(string title, long sent) => ArrivedAt(title) is { } arrived ? LoadCommon.Ms(sent, arrived) : null;

        public async Task<int> WaitAsync(ICollection<string> titles, TimeSpan limit)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                Pull();
                int missing;
                lock (_first) missing = titles.Count(t => !_first.ContainsKey(t));
                if (missing == 0 || clock.Elapsed > limit) return missing;
                await Task.Delay(50);
            }
        }

        private void Pull()
        {
            lock (_first)
            {
                var all = fake.Created.ToArray();
                for (; _seen < all.Length; _seen++) _first.TryAdd(all[_seen].Title, all[_seen].Arrived);
            }
        }
    }
}

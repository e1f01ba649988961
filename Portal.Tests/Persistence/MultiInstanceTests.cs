using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Portal.Core.Dispatch;
using Portal.Core.PagerDuty;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;
using Portal.Tests.Telemetry;
using Portal.Tests.Webhooks;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Portal.Tests.Persistence;

/// Issue 14's harness, contract section 7: real portal processes on one PostgreSQL database behind no balancer at all
/// (each request goes to an instance picked here), with the strict fake PagerDuty. Three instances share the work of
/// many record changes while one of them is killed with SIGKILL in the middle of a call; the request budget is held
/// across all of them; webhook deliveries sent twice to random instances are stored and processed once, in order per
/// incident; a ruleset saved on one instance is in force on another for the very next change; and three instances
/// started together on an empty database migrate it once and create one Administrator.
///
/// The size is `PORTAL_MULTI_INSTANCE_CASES` (cases; 150 by default, enough that the budget of 120 a minute must hold
/// back work for a second window) and `PORTAL_MULTI_INSTANCE_EVENTS` (webhook events; 100 by default). The figures are
/// written to the test output, and with `PORTAL_MULTI_INSTANCE_REPORT` set, as Markdown to that file (the figures in
/// docs/performance.md come from a run with 1,000 cases and 300 events).
[Collection(PostgresCollection.Name)]
public sealed class MultiInstanceTests(PostgresCluster cluster, ITestOutputHelper output)
{
    private const string WebhookSecret = "multi-instance-webhook-secret-0123456789";
    private const int BudgetPerMinute = 120;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    /// Contract section 6: a killed instance's work is taken over within its lease plus 10 seconds.
    private static readonly TimeSpan TakeoverTarget = Lease + TimeSpan.FromSeconds(10);

    private static int Cases => Setting("PORTAL_MULTI_INSTANCE_CASES", 150);
    private static int Events => Setting("PORTAL_MULTI_INSTANCE_EVENTS", 100);

    [Fact]
    public async Task ThreeInstancesStartedTogetherOnAnEmptyDatabaseMigrateItOnceMakeOneAdministratorAndShareOneKeyRing()
    {
        await using var run = await Run.StartAsync(cluster, output);
        await run.RunAsync(async () =>
        {
            await run.StartInstancesAsync(3, bootstrapAdministrator: true);

            var migrations = Assembly.Load(Portal.Core.Persistence.DatabaseProviders.PostgresMigrationsAssembly).GetTypes()
                .Select(t => t.GetCustomAttribute<MigrationAttribute>()?.Id).OfType<string>().Order(StringComparer.Ordinal).ToList();
            var applied = await run.QueryAsync("SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\" COLLATE \"C\"", r => r.GetString(0));
            Assert.Equal(migrations, applied);
            // an account's role is its own column (one role each)
            var administrators = await run.QueryAsync("SELECT \"Email\" FROM \"AspNetUsers\" WHERE \"Role\" = 'Administrator'", r => r.GetString(0));
            Assert.Equal(["admin@portal.test"], administrators);
            Assert.Equal(1, await run.ScalarAsync("SELECT count(*) FROM \"AspNetUsers\""));
            // and the sample data once: four cases and two incidents, not three times that
            Assert.Equal(["Case:4", "Incident:2"], await run.QueryAsync(
                "SELECT \"ObjectName\" || ':' || count(*) FROM \"Records\" GROUP BY \"ObjectName\" ORDER BY \"ObjectName\" COLLATE \"C\"", r => r.GetString(0)));
            // one key ring, in the database: a sign-in on one instance is good on every other (the balancer may send
            // the next request anywhere)
            var jar = new CookieContainer();
            using (var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = jar }) { BaseAddress = run.Instances[0].BaseUrl })
            {
                using var signIn = await FormPost.SignInAsync(browser, "admin@portal.test", "Multi-instance-0123!");
                Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            }
            var cookie = jar.GetCookies(run.Instances[0].BaseUrl)["portal.auth"]?.ToString();
            Assert.NotNull(cookie);
            foreach (var instance in run.Instances)
            {
                using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = instance.BaseUrl };
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
                request.Headers.Add("Cookie", cookie);
                using var me = await http.SendAsync(request);
                Assert.True(me.StatusCode == HttpStatusCode.OK, $"'{instance.Name}' answered {(int)me.StatusCode} to the cookie made on '{run.Instances[0].Name}'");
                Assert.Contains("admin@portal.test", await me.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        });
    }

    [Fact]
    public async Task ThreeInstancesShareTheWorkSurviveAKillHoldTheBudgetAndAgreeOnEverything()
    {
        await using var run = await Run.StartAsync(cluster, output);
        await run.RunAsync(async () =>
        {
            var pagerDuty = run.PagerDuty;
            var (first, second) = (pagerDuty.Services[0].Id, pagerDuty.Services[1].Id);
            await run.StartInstancesAsync(3, bootstrapAdministrator: false);
            using (var http = run.Instances[0].CreateClient()) await PutRulesAsync(http, first);

            // 1. the record changes, spread over the instances; a third of the way in, the next create is held at the
            // fake (PagerDuty carries it out, the answer never comes) and the instance that sent it is killed
            var held = (Killed: (PortalProcess?)null, At: (Stopwatch?)null, RecordId: (string?)null, Owner: (string?)null);
            var kill = Task.CompletedTask;
            var created = 0;
            var started = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, Cases), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (i, ct) =>
            {
                if (Interlocked.Increment(ref created) == Cases / 3)
                {
                    var request = pagerDuty.HoldNext("POST", "incidents", carryOut: true);
                    kill = Task.Run(async () =>
                    {
                        var create = await request.WaitAsync(TimeSpan.FromSeconds(120), ct);
                        var recordId = create.Json!["incident"]!["incident_key"]!.GetValue<string>()["portal:Case:".Length..];
                        held.RecordId = recordId;
                        var owner = await run.UntilAsync(() => run.ScalarTextAsync(
                            $"SELECT \"LeaseOwner\" FROM \"PlannedActions\" WHERE \"RecordId\" = '{recordId}' AND \"State\" = '{PlannedActionStates.InFlight}'"), "the held action's lease owner");
                        held.Owner = owner;
                        var pid = int.Parse(owner.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
                        var holder = run.Instances.Single(p => p.Id == pid);
                        await holder.KillAsync();
                        held.Killed = holder;
                        held.At = Stopwatch.StartNew();
                        run.Phase($"killed '{holder.Name}' (pid {pid}) while PagerDuty held its create for record {recordId}");
                    }, ct);
                }
                await run.CreateCaseAsync($"Checkout down {i}", ct);
            });
            run.Phase($"{Cases} cases created in {started.Elapsed.TotalSeconds:0.0} s");
            await kill;
            Assert.NotNull(held.Killed);

            // the killed instance's action is taken back by the others within its lease plus 10 s, and carried out by one
            // of them as soon as the budget lets it (at full size the budget is spent for the minute when the kill comes)
            await run.UntilAsync(() => run.ScalarTextAsync(
                $"SELECT \"State\" FROM \"PlannedActions\" WHERE \"RecordId\" = '{held.RecordId}' AND (\"LeaseOwner\" IS NULL OR \"LeaseOwner\" <> '{held.Owner}')"),
                "the held action to be taken back", TakeoverTarget + TimeSpan.FromSeconds(30));
            var takeover = held.At!.Elapsed;
            run.Phase($"the killed instance's action was taken back {takeover.TotalSeconds:0.0} s after the kill");
            Assert.True(takeover < TakeoverTarget, $"The killed instance's action was taken back {takeover.TotalSeconds:0.0} s after the kill; the target is {TakeoverTarget.TotalSeconds:0} s.");
            await run.UntilAsync(() => run.ScalarTextAsync(
                $"SELECT \"State\" FROM \"PlannedActions\" WHERE \"RecordId\" = '{held.RecordId}' AND \"State\" = '{PlannedActionStates.Succeeded}'"), "the held action to be carried out",
                TakeoverTarget + RequestBudget.Hold + TimeSpan.FromSeconds(30));
            var carriedOut = held.At.Elapsed;
            run.Phase($"the killed instance's action was carried out {carriedOut.TotalSeconds:0.0} s after the kill");

            // every planned action ends, each carried out once: one incident per case at PagerDuty, linked to it
            var patience = TimeSpan.FromMinutes(2) + TimeSpan.FromMinutes((double)Cases / BudgetPerMinute);
            await run.UntilAsync(async () => await run.ScalarAsync(
                $"SELECT count(*) FROM \"PlannedActions\" WHERE \"State\" NOT IN ('{PlannedActionStates.Succeeded}', '{PlannedActionStates.DeadLettered}', '{PlannedActionStates.Discarded}')") == 0 ? "" : null,
                "every planned action to end", patience);
            var allDone = started.Elapsed;
            Assert.Empty(await run.QueryAsync($"SELECT \"LastError\" FROM \"PlannedActions\" WHERE \"State\" <> '{PlannedActionStates.Succeeded}'", r => r.IsDBNull(0) ? "" : r.GetString(0)));
            var cases = await run.QueryAsync("SELECT \"Id\" FROM \"Records\" WHERE \"ObjectName\" = 'Case'", r => r.GetString(0));
            Assert.InRange(cases.Count, Cases, Cases + 6); // a create sent to the instance as it was killed may have been stored
            var incidents = pagerDuty.Incidents;
            Assert.Equal(cases.Select(c => $"portal:Case:{c}").Order(StringComparer.Ordinal), incidents.Select(i => i.IncidentKey!).Order(StringComparer.Ordinal));
            var links = await run.QueryAsync("SELECT \"RecordId\", \"IncidentId\" FROM \"IncidentLinks\"", r => (Record: r.GetString(0), Incident: r.GetString(1)));
            Assert.Equal(cases.Order(StringComparer.Ordinal), links.Select(l => l.Record).Order(StringComparer.Ordinal));
            Assert.All(links, l => Assert.Equal($"portal:Case:{l.Record}", incidents.Single(i => i.Id == l.Incident).IncidentKey));
            var creates = pagerDuty.Requests.Where(r => r.Method == "POST" && r.Path == "/incidents").ToList();
            // each create sent once, but the one whose answer died with its instance, and any whose lease ran out on a
            // loaded machine: sent again with its key, refused, found (the incidents above are one per case all the same)
            var sentPerKey = creates.GroupBy(r => r.Json?["incident"]?["incident_key"]?.GetValue<string>() ?? "").ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(cases.Select(c => $"portal:Case:{c}").Order(StringComparer.Ordinal), sentPerKey.Keys.Order(StringComparer.Ordinal));
            Assert.True(sentPerKey[$"portal:Case:{held.RecordId}"] >= 2, "The create held when its instance was killed was not sent again.");
            var sentAgain = creates.Count - cases.Count;
            run.Phase($"{creates.Count} creates sent: {sentAgain} again with their key (refused, found)");

            // 2. the budget: the dispatchers' requests of all instances together, in every window
            var dispatcherRequests = pagerDuty.Requests.Where(r => r.Path == "/incidents" && (r.Method == "POST" || r.Query.Contains("incident_key=", StringComparison.Ordinal)))
                .Select(r => r.ReceivedUtc).Order().ToList();
            // counted as PagerDuty counts them, when they arrive (a grant counts a little longer than a minute for that)
            var busiest = BusiestWindow(dispatcherRequests, RequestBudget.Window);
            run.Phase($"the busiest 60-second window held {busiest} dispatcher requests (budget {BudgetPerMinute})");
            Assert.True(busiest <= BudgetPerMinute, $"{busiest} dispatcher requests reached PagerDuty in one 60-second window; the shared budget is {BudgetPerMinute}.");

            // 3. webhooks: each event delivered twice, to random instances, is stored once and processed once, in order
            var survivors = run.Instances.Where(p => !p.HasExited).ToList();
            var pairs = incidents.Take(Math.Max(1, Events / 2)).ToList();
            var random = new Random(14);
            var clock = DateTime.UtcNow;
            var sent = Stopwatch.StartNew();
            await Parallel.ForEachAsync(pairs.Select((incident, n) => (incident, n)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (pair, ct) =>
            {
                foreach (var (capture, step) in new[] { ("incident.acknowledged", 1), ("incident.resolved", 2) })
                {
                    var body = SignedDelivery.About(capture, $"multi-{pair.n}-{step}", pair.incident.Id, clock.AddSeconds(step));
                    Task Deliver(PortalProcess to) => run.DeliverAsync(to, body, ct);
                    await Task.WhenAll(Deliver(survivors[random.Next(survivors.Count)]), Deliver(survivors[random.Next(survivors.Count)]));
                }
            });
            var events = pairs.Count * 2;
            await run.UntilAsync(async () => await run.ScalarAsync(
                $"SELECT count(*) FROM \"WebhookEvents\" WHERE \"EventId\" LIKE 'multi-%' AND \"State\" = '{WebhookEventStates.Pending}'") == 0 ? "" : null, "every webhook event to be processed");
            var processedIn = sent.Elapsed;
            Assert.Equal(events, await run.ScalarAsync("SELECT count(*) FROM \"WebhookEvents\" WHERE \"EventId\" LIKE 'multi-%'"));
            Assert.Equal(events, await run.ScalarAsync("SELECT count(DISTINCT \"EventId\") FROM \"WebhookEvents\" WHERE \"EventId\" LIKE 'multi-%'"));
            Assert.Empty(await run.QueryAsync($"SELECT \"EventId\", \"Error\" FROM \"WebhookEvents\" WHERE \"EventId\" LIKE 'multi-%' AND \"State\" = '{WebhookEventStates.Failed}'",
                r => $"{r.GetString(0)}: {(r.IsDBNull(1) ? "" : r.GetString(1))}"));
            double processedByInstances = 0;
            foreach (var instance in survivors)
            {
                var scrape = await run.ScrapeAsync(instance);
                Assert.Null(scrape.Value("portal_webhooks_processed_total", "outcome=failed"));
                processedByInstances += scrape.Samples.Where(s => s.Name == "portal_webhooks_processed_total").Sum(s => s.Value);
            }
            // the instances' counters together: each event once (before the kill no instance had processed any)
            Assert.Equal(events, processedByInstances);
            // in order per incident: every linked record ends with the newest state PagerDuty sent, never an older one over it
            var statuses = await run.QueryAsync("SELECT \"IncidentId\", \"Status\" FROM \"IncidentLinks\"", r => (Id: r.GetString(0), Status: r.IsDBNull(1) ? null : r.GetString(1)));
            var inversions = pairs.Count(p => statuses.Single(s => s.Id == p.Id).Status != "resolved");
            run.Phase($"{events} webhook events, each delivered twice to random instances, processed in {processedIn.TotalSeconds:0.0} s; order inversions: {inversions}");
            Assert.Equal(0, inversions);

            // 4. a ruleset saved on one instance is in force on another for the very next record change
            using (var http = survivors[0].CreateClient()) await PutRulesAsync(http, second);
            var changed = await run.CreateCaseAsync("Payments down", CancellationToken.None, survivors[1]);
            await run.UntilAsync(() => Task.FromResult(pagerDuty.Incidents.SingleOrDefault(i => i.IncidentKey == $"portal:Case:{changed}")?.ServiceId), "the new case's incident");
            Assert.Equal(second, pagerDuty.Incidents.Single(i => i.IncidentKey == $"portal:Case:{changed}").ServiceId);

            run.Report([
                ("Instances", "3 (one killed with SIGKILL a third of the way in)"),
                ("Record changes (new cases)", $"{Cases:N0}, spread round-robin, 6 at a time"),
                ("Planned actions carried out", $"{cases.Count:N0} of {cases.Count:N0}, each once: {incidents.Count:N0} incidents, one per case; {creates.Count:N0} creates sent ({sentAgain} again with their key after the kill or a lease that ran out, refused and found)"),
                ("Takeover after the kill", $"taken back {takeover.TotalSeconds:0.0} s after it (target: lease {Lease.TotalSeconds:0} s + 10 s), carried out {carriedOut.TotalSeconds:0.0} s after it"),
                ("All actions done", $"{allDone.TotalSeconds:0} s"),
                ("Dispatcher requests in the busiest 60-second window", $"{busiest} (shared budget {BudgetPerMinute}/min)"),
                ("Webhook events, each delivered twice to random instances", $"{events:N0}: stored once, processed once, in {processedIn.TotalSeconds:0.0} s"),
                ("Webhook order inversions", $"{inversions}"),
                ("Ruleset saved on one instance, record changed on another", "the new version ran"),
            ]);
        });
    }

    /// The most requests that fall within any `window` (each counted from its own time).
    private static int BusiestWindow(List<DateTime> times, TimeSpan window)
    {
        var (busiest, start) = (0, 0);
        for (var end = 0; end < times.Count; end++)
        {
            while (times[end] - times[start] >= window) start++;
            busiest = Math.Max(busiest, end - start + 1);
        }
        return busiest;
    }

    private static async Task PutRulesAsync(HttpClient http, string serviceId)
    {
        var rules = $$"""
            {"schemaVersion":1,"rulesets":[{"name":"Every case pages","enabled":true,"rules":[{"name":"An incident for every new case","object":"Case",
             "runOn":"recordCreateOrUpdate","when":"all","conditions":[],"executeFor":"newOnly",
             "actions":[{"type":"createIncident","serviceId":"{{serviceId}}"}]}]}]}
            """;
        using var put = await http.PutAsync("/api/rulesets", new StringContent(rules, Encoding.UTF8, "application/json"));
        Assert.True(put.IsSuccessStatusCode, $"PUT /api/rulesets answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;

    /// One test's database, fake PagerDuty and portal processes; a failure inside `RunAsync` carries every process's output.
    private sealed class Run : IAsyncDisposable
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ITestOutputHelper _output;
        private readonly string _connectionString;
        private int _next;

        private Run(ITestOutputHelper output, FakePagerDutyServer pagerDuty, string connectionString)
        {
            (_output, PagerDuty, _connectionString) = (output, pagerDuty, connectionString);
        }

        public static async Task<Run> StartAsync(PostgresCluster cluster, ITestOutputHelper output) =>
            new(output, await FakePagerDutyServer.StartAsync(), await cluster.CreateDatabaseAsync());

        public FakePagerDutyServer PagerDuty { get; }
        public List<PortalProcess> Instances { get; } = [];

        public void Phase(string what) => _output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {what}");

        /// `count` portal processes started at the same moment on the one database.
        public async Task StartInstancesAsync(int count, bool bootstrapAdministrator)
        {
            var environment = new Dictionary<string, string>
            {
                ["Database__Provider"] = "Postgres",
                ["ConnectionStrings__Portal"] = _connectionString,
                ["PagerDuty__Mode"] = "Live",
                ["PagerDuty__ApiKey"] = FakePagerDutyServer.DefaultApiKey,
                ["PagerDuty__BaseUrl"] = PagerDuty.BaseUrl.ToString(),
                ["PagerDuty__FromEmail"] = FakePagerDutyServer.IntegrationEmail,
                ["PagerDuty__WebhookSecrets__0"] = WebhookSecret,
                ["Dispatch__Lease"] = Lease.ToString(),
                ["Dispatch__RequestsPerMinute"] = BudgetPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            if (bootstrapAdministrator)
            {
                environment["Authentication__BootstrapAdmin__Email"] = "admin@portal.test";
                environment["Authentication__BootstrapAdmin__Password"] = "Multi-instance-0123!";
                // a brand-new install: the sample data too
                environment["Portal__SeedSampleData"] = "true";
            }
            var starting = Enumerable.Range(Instances.Count, count).Select(n => PortalProcess.StartAsync($"instance {n + 1}", null, environment,
                TimeSpan.FromSeconds(120))).ToList();
            try
            {
                Instances.AddRange(await Task.WhenAll(starting));
            }
            finally
            {
                // the ones that did start are stopped with the run, whatever happened to the others
                Instances.AddRange(starting.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result).Except(Instances));
            }
            Phase($"{count} instances ready: {string.Join(", ", Instances.Select(p => $"{p.Name} (pid {p.Id})"))}");
        }

        /// A new case through `on` (else the next live instance, in turn); its id.
        public async Task<string> CreateCaseAsync(string subject, CancellationToken cancellationToken, PortalProcess? on = null)
        {
            for (var attempt = 1; ; attempt++)
            {
                var to = on ?? NextLive();
                try
                {
                    return await CreateCaseAsync(to, subject, cancellationToken);
                }
                catch (HttpRequestException) when (on is null && attempt < 6)
                {
                    // the kill may not be complete yet (the process not reaped, so still picked): give it a moment
                    await Task.Delay(200, cancellationToken);
                    // sent to the instance being killed: as behind a balancer, the client tries another (its first
                    // attempt may have stored a case before the kill, so the cases are counted in the database)
                }
            }
        }

        private static async Task<string> CreateCaseAsync(PortalProcess to, string subject, CancellationToken cancellationToken)
        {
            using var http = to.CreateClient();
            var body = new JsonObject { ["fields"] = new JsonObject { ["Subject"] = subject, ["Priority"] = "High" } }.ToJsonString();
            using var created = await http.PostAsync("/api/objects/Case/records", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
            var answer = await created.Content.ReadAsStringAsync(cancellationToken);
            Assert.True(created.StatusCode == HttpStatusCode.Created, $"POST /api/objects/Case/records on '{to.Name}' answered {(int)created.StatusCode}: {answer}");
            return JsonNode.Parse(answer)!["id"]!.GetValue<string>();
        }

        /// A live instance, in turn; one killed a moment ago may still be picked before it is known to be gone, so
        /// the caller's request is only sent to one whose process still runs.
        private PortalProcess NextLive()
        {
            for (var tries = 0; tries < Instances.Count * 2; tries++)
            {
                var instance = Instances[(int)((uint)Interlocked.Increment(ref _next) % Instances.Count)];
                if (!instance.HasExited) return instance;
            }
            throw new InvalidOperationException("No portal instance is running.");
        }

        public async Task DeliverAsync(PortalProcess to, byte[] body, CancellationToken cancellationToken)
        {
            using var http = to.CreateClient();
            using var request = SignedDelivery.Signed(body, WebhookSecret);
            using var answer = await http.SendAsync(request, cancellationToken);
            Assert.True(answer.StatusCode == HttpStatusCode.Accepted, $"The webhook on '{to.Name}' was answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync(cancellationToken)}");
        }

        public async Task<PrometheusScrape> ScrapeAsync(PortalProcess instance)
        {
            using var http = instance.CreateClient();
            return new PrometheusScrape(await http.GetStringAsync("/metrics"));
        }

        public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read)
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<T>();
            while (await reader.ReadAsync()) rows.Add(read(reader));
            return rows;
        }

        public async Task<long> ScalarAsync(string sql) => (await QueryAsync(sql, r => r.GetInt64(0))).Single();

        public async Task<string?> ScalarTextAsync(string sql) => (await QueryAsync(sql, r => r.IsDBNull(0) ? null : r.GetString(0))).FirstOrDefault();

        public async Task<T> UntilAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? patience = null) where T : class
        {
            var limit = patience ?? TimeSpan.FromSeconds(60);
            var waited = Stopwatch.StartNew();
            while (true)
            {
                if (await probe() is { } found) return found;
                if (waited.Elapsed > limit) throw new TimeoutException($"Waited {limit.TotalSeconds:0} s for {what}.");
                await Task.Delay(100);
            }
        }

        /// The figures, in the test output and (with PORTAL_MULTI_INSTANCE_REPORT) as a Markdown table in that file.
        public void Report(IReadOnlyList<(string What, string Figure)> figures)
        {
            foreach (var (what, figure) in figures) _output.WriteLine($"{what}: {figure}");
            if (Environment.GetEnvironmentVariable("PORTAL_MULTI_INSTANCE_REPORT") is not { Length: > 0 } file) return;
            var markdown = new StringBuilder("| measure | figure |\n|---|---|\n");
            foreach (var (what, figure) in figures) markdown.Append($"| {what} | {figure} |\n");
            File.WriteAllText(file, markdown.ToString());
        }

        public async Task RunAsync(Func<Task> test)
        {
            try
            {
                await test();
            }
            catch (Exception e)
            {
                throw new XunitException($"{e.Message}\n\nafter {_clock.Elapsed.TotalSeconds:0.0} s" +
                    string.Concat(Instances.Select(p => $"\n\n--- '{p.Name}' (pid {p.Id}) output, last 6000 characters ---\n{p.Output[^Math.Min(6000, p.Output.Length)..]}")), e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var instance in Instances) await instance.DisposeAsync();
            await PagerDuty.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
        }
    }
}

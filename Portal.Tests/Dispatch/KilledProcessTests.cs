using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Portal.Core.Dispatch;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Portal.Tests.Dispatch;

/// "A process killed mid-call then restarted: the work resumes at once and is done once", with a real process and a
/// real kill: the portal runs as its own OS process against the fake PagerDuty, which holds one call; while that call
/// is in flight the process gets SIGKILL; a new process on the same SQLite file takes back what the killed one had in
/// flight at start (it owns the file, so no lease is waited out: the default 2-minute lease stays in force here) and
/// carries it out within 10 s of being ready. A create is sent again with the same `incident_key`
/// (`portal:Case:<id>`): PagerDuty refuses a second open incident with that key (400), and the portal then finds the
/// open incident by key and links it. A note is not sent again when PagerDuty already has it. Both sides of the kill
/// are covered: PagerDuty had already carried the request out (its answer died with the process), or it had not.
public sealed class KilledProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    /// Contract section 6: in-flight work is taken up again within 10 seconds of the restart.
    private static readonly TimeSpan ResumeTarget = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task IncidentPagerDutyCreatedBeforeTheKillIsFoundByKeyAndLinked()
    {
        await RunCreateAsync(pagerDutyActedBeforeTheKill: true, run =>
        {
            // the restarted portal sent the create again, was refused for the open incident with its key, and looked it up
            Assert.Equal(2, run.Creates.Count);
            Assert.Contains(run.PagerDuty.Requests, r => r.Method == "GET" && r.Path == "/incidents"
                && r.Query.Contains("incident_key=" + Uri.EscapeDataString(run.IncidentKey), StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task CreatePagerDutyNeverCarriedOutIsSentAgainAndLinked()
    {
        await RunCreateAsync(pagerDutyActedBeforeTheKill: false, run =>
        {
            // the first create was never carried out, so the second one is simply answered 201: no lookup by key
            Assert.Equal(2, run.Creates.Count);
            Assert.DoesNotContain(run.PagerDuty.Requests, r => r.Method == "GET" && r.Path == "/incidents");
        });
    }

    [Fact]
    public async Task NotePagerDutyAddedBeforeTheKillIsNotSentAgain()
    {
        var posts = await RunNoteAsync(pagerDutyActedBeforeTheKill: true);
        // the restarted portal read the incident's notes, found the first attempt's, and sent nothing more
        Assert.Single(posts);
    }

    [Fact]
    public async Task NotePagerDutyNeverAddedIsSentAgain()
    {
        var posts = await RunNoteAsync(pagerDutyActedBeforeTheKill: false);
        Assert.Equal(2, posts.Count);
    }

    [Fact]
    public async Task ASecondProcessOnTheSameDatabaseFileIsRefused()
    {
        await using var scenario = await Scenario.StartAsync(output);
        await scenario.RunAsync(async () =>
        {
            await scenario.StartPortalAsync("first");
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => scenario.StartPortalAsync("second"));
            Assert.Contains($"Another Portal process is using the database file {scenario.Database}", refused.Message, StringComparison.Ordinal);
            Assert.Contains("exited with 1", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", refused.Message, StringComparison.Ordinal); // the message alone, no stack trace
        });
    }

    private sealed record Run(FakePagerDutyServer PagerDuty, string IncidentKey, IReadOnlyList<FakeRequest> Creates);

    /// The kill and restart of a create, with the checks every variant shares: one incident for the record's key at
    /// PagerDuty, linked to the record within 10 s of the restart, the planned action succeeded on its second claim;
    /// then the variant's own checks.
    private async Task RunCreateAsync(bool pagerDutyActedBeforeTheKill, Action<Run> then)
    {
        await using var scenario = await Scenario.StartAsync(output);
        var pagerDuty = scenario.PagerDuty;
        await scenario.RunAsync(async () =>
        {
            var held = pagerDuty.HoldNext("POST", "incidents", carryOut: pagerDutyActedBeforeTheKill);
            var first = await scenario.StartPortalAsync("first");
            string recordId;
            using (var http = first.CreateClient())
            {
                await PutRulesAsync(http, pagerDuty.Services[0].Id);
                recordId = await CreateCaseAsync(http);
            }
            var incidentKey = $"portal:Case:{recordId}";

            // the rule's create is at PagerDuty and held there: the call is in flight
            var create = await held.WaitAsync(Patience);
            scenario.Phase("POST /incidents held at the fake");
            Assert.Equal(incidentKey, create.Json?["incident"]?["incident_key"]?.GetValue<string>());

            await scenario.KillAsync(first);
            Assert.Equal((PlannedActionStates.InFlight, 1, (string?)null), Assert.Single(PlannedActions(scenario.Database)));
            Assert.Equal(pagerDutyActedBeforeTheKill ? 1 : 0, pagerDuty.Incidents.Count);

            var restarted = await scenario.StartPortalAsync("restarted");
            var linked = await scenario.WithinResumeTargetAsync(restarted, async http =>
            {
                var record = JsonNode.Parse(await http.GetStringAsync($"/api/objects/Case/records/{recordId}"))!;
                return record["incidents"] is JsonArray { Count: > 0 } incidents ? incidents : null;
            }, $"record {recordId} to show a linked incident");

            var incident = Assert.Single(pagerDuty.Incidents, i => i.IncidentKey == incidentKey);
            Assert.Single(pagerDuty.Incidents);
            var link = Assert.Single(linked);
            Assert.Equal(incident.Id, link!["incidentId"]?.GetValue<string>());
            Assert.Equal(incident.Number, link["number"]?.GetValue<long>());
            Assert.Equal((PlannedActionStates.Succeeded, 2, incident.Id), Assert.Single(PlannedActions(scenario.Database)));

            var creates = pagerDuty.Requests.Where(r => r.Method == "POST" && r.Path == "/incidents").ToList();
            Assert.All(creates, c => Assert.Equal(incidentKey, c.Json?["incident"]?["incident_key"]?.GetValue<string>()));
            then(new Run(pagerDuty, incidentKey, creates));
        });
    }

    /// The kill and restart of a note (a comment on a case becomes a note on its incident): after the restart the note
    /// action succeeds within 10 s and PagerDuty holds the note exactly once. Returns the note POSTs the fake saw.
    private async Task<List<FakeRequest>> RunNoteAsync(bool pagerDutyActedBeforeTheKill)
    {
        await using var scenario = await Scenario.StartAsync(output);
        var pagerDuty = scenario.PagerDuty;
        var posts = new List<FakeRequest>();
        await scenario.RunAsync(async () =>
        {
            var first = await scenario.StartPortalAsync("first");
            string recordId;
            using (var http = first.CreateClient())
            {
                await PutRulesAsync(http, pagerDuty.Services[0].Id);
                recordId = await CreateCaseAsync(http);
                await UntilAsync(async () => PlannedActions(scenario.Database) is [(PlannedActionStates.Succeeded, _, _)] ? "" : null, "the create to succeed");
                var incident = Assert.Single(pagerDuty.Incidents);
                var held = pagerDuty.HoldNext("POST", $"incidents/{incident.Id}/notes", carryOut: pagerDutyActedBeforeTheKill);
                using var comment = await http.PostAsync($"/api/objects/Case/records/{recordId}/comments", Json("""{"body":"Customer says checkout fails at payment"}"""));
                Assert.True(comment.StatusCode == HttpStatusCode.Created, $"POST comments answered {(int)comment.StatusCode}: {await comment.Content.ReadAsStringAsync()}");
                await held.WaitAsync(Patience);
                scenario.Phase("POST /incidents/{id}/notes held at the fake");
            }

            await scenario.KillAsync(first);
            Assert.Equal(pagerDutyActedBeforeTheKill ? 1 : 0, Assert.Single(pagerDuty.Incidents).Notes.Count);

            var restarted = await scenario.StartPortalAsync("restarted");
            await scenario.WithinResumeTargetAsync(restarted, _ => Task.FromResult(
                PlannedActions(scenario.Database).Count(a => a.State == PlannedActionStates.Succeeded) == 2 ? "" : null), "the note action to succeed");

            var note = Assert.Single(Assert.Single(pagerDuty.Incidents).Notes);
            Assert.EndsWith(": Customer says checkout fails at payment", note.Content, StringComparison.Ordinal);
            posts.AddRange(pagerDuty.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/notes", StringComparison.Ordinal)));
        });
        return posts;
    }

    /// One test's folder, SQLite file, fake PagerDuty and portal processes; any failure inside `RunAsync` carries what
    /// the fake saw and every process's output.
    private sealed class Scenario : IAsyncDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "portal-process-tests", Guid.NewGuid().ToString("n"));
        private readonly List<PortalProcess> _processes = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ITestOutputHelper _output;

        private Scenario(ITestOutputHelper output, FakePagerDutyServer pagerDuty)
        {
            _output = output;
            PagerDuty = pagerDuty;
            Directory.CreateDirectory(_folder);
        }

        public static async Task<Scenario> StartAsync(ITestOutputHelper output) => new(output, await FakePagerDutyServer.StartAsync());

        public FakePagerDutyServer PagerDuty { get; }
        public string Database => Path.Combine(_folder, "portal.db");

        public void Phase(string what) => _output.WriteLine($"{_clock.Elapsed.TotalSeconds,5:0.0} s  {what}");

        public async Task<PortalProcess> StartPortalAsync(string name)
        {
            var environment = new Dictionary<string, string>
            {
                ["PagerDuty__Mode"] = "Live",
                ["PagerDuty__ApiKey"] = FakePagerDutyServer.DefaultApiKey,
                ["PagerDuty__BaseUrl"] = PagerDuty.BaseUrl.ToString(),
                ["PagerDuty__FromEmail"] = FakePagerDutyServer.IntegrationEmail,
            };
            var portal = await PortalProcess.StartAsync(name, Database, environment);
            _processes.Add(portal);
            Phase($"portal '{name}' ready (pid {portal.Id})");
            return portal;
        }

        public async Task KillAsync(PortalProcess portal)
        {
            await portal.KillAsync();
            Assert.True(portal.HasExited);
            Phase($"portal '{portal.Name}' killed");
        }

        /// Waits for `probe` on the restarted portal, and fails unless it held within 10 s of the portal being ready.
        public async Task<T> WithinResumeTargetAsync<T>(PortalProcess restarted, Func<HttpClient, Task<T?>> probe, string what) where T : class
        {
            var ready = Stopwatch.StartNew();
            using var http = restarted.CreateClient();
            var found = await UntilAsync(async () =>
            {
                // given up on for good is a failure now, not after the wait
                if (DeadLettered(Database) is { } error) throw new XunitException($"The restarted portal dead-lettered the action: {error}");
                return await probe(http);
            }, what);
            Phase($"{what}: {ready.Elapsed.TotalSeconds:0.0} s after the restart");
            Assert.True(ready.Elapsed < ResumeTarget, $"Waited {ready.Elapsed.TotalSeconds:0.0} s after the restart for {what}; the target is {ResumeTarget.TotalSeconds:0} s.");
            return found;
        }

        public async Task RunAsync(Func<Task> test)
        {
            try
            {
                await test();
            }
            catch (Exception e)
            {
                throw new XunitException($"{e.Message}\n\nafter {_clock.Elapsed.TotalSeconds:0.0} s; fake PagerDuty saw: " +
                    string.Join(", ", PagerDuty.Requests.Select(r => $"{r.Method} {r.PathAndQuery}")) +
                    string.Concat(_processes.Select(p => $"\n\n--- portal process '{p.Name}' (pid {p.Id}) output ---\n{p.Output}")), e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var process in _processes) await process.DisposeAsync();
            await PagerDuty.DisposeAsync();
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task<string> CreateCaseAsync(HttpClient http)
    {
        using var created = await http.PostAsync("/api/objects/Case/records", Json("""{"fields":{"Subject":"Checkout down","Priority":"High"}}"""));
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"POST /api/objects/Case/records answered {(int)created.StatusCode}: {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<string>();
    }

    private static async Task PutRulesAsync(HttpClient http, string serviceId)
    {
        var rules = $$"""
            {"schemaVersion":1,"rulesets":[{"name":"Kill test","enabled":true,"rules":[{"name":"An incident for every new case","object":"Case",
             "runOn":"recordCreateOrUpdate","when":"all","conditions":[],"executeFor":"newOnly",
             "actions":[{"type":"createIncident","serviceId":"{{serviceId}}"}]}]}]}
            """;
        using var put = await http.PutAsync("/api/rulesets", Json(rules));
        Assert.True(put.IsSuccessStatusCode, $"PUT /api/rulesets answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// The planned actions as the database file holds them (state, attempts, incident).
    private static List<(string State, int Attempts, string? IncidentId)> PlannedActions(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT State, Attempts, IncidentId FROM PlannedActions";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, int, string?)>();
        while (reader.Read()) rows.Add((reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        return rows;
    }

    private static string? DeadLettered(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT LastError FROM PlannedActions WHERE State = $state";
        command.Parameters.AddWithValue("$state", PlannedActionStates.DeadLettered);
        return command.ExecuteScalar() is { } error ? error as string ?? "(no error stored)" : null;
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } found) return found;
            if (clock.Elapsed > Patience) throw new TimeoutException($"Waited {Patience.TotalSeconds:0} s for {what}.");
            await Task.Delay(100);
        }
    }
}

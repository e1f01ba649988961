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

/// "A process killed mid-call then restarted: incident created once, record linked", with a real process and a real
/// kill: the portal runs as its own OS process against the fake PagerDuty, which holds the rule's `POST /incidents`;
/// while that call is in flight the process gets SIGKILL; a new process on the same SQLite file takes the action
/// again once its lease runs out (`Dispatch:Lease`, short here) and sends the create again with the same
/// `incident_key` (`portal:Case:<id>`). Documented behaviour (ActionDispatcher, LivePagerDuty, README): PagerDuty
/// refuses a second open incident with that key (400), and the portal then finds the open incident by key and links
/// it. Both sides of the kill are covered: PagerDuty had already created the incident (its answer died with the
/// process), or it had not yet acted on the request.
public sealed class KilledProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task IncidentPagerDutyCreatedBeforeTheKillIsFoundByKeyAndLinked()
    {
        await RunAsync(pagerDutyActedBeforeTheKill: true, run =>
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
        await RunAsync(pagerDutyActedBeforeTheKill: false, run =>
        {
            // the first create was never carried out, so the second one is simply answered 201: no lookup by key
            Assert.Equal(2, run.Creates.Count);
            Assert.DoesNotContain(run.PagerDuty.Requests, r => r.Method == "GET" && r.Path == "/incidents");
        });
    }

    private sealed record Run(FakePagerDutyServer PagerDuty, string IncidentKey, IReadOnlyList<FakeRequest> Creates);

    /// The kill and restart, with the checks every variant shares: one incident for the record's key at PagerDuty, that
    /// incident linked to the record, the planned action succeeded on its second claim; then the variant's own checks.
    /// Any failure carries what the fake saw and both processes' output.
    private async Task RunAsync(bool pagerDutyActedBeforeTheKill, Action<Run> then)
    {
        var folder = Path.Combine(Path.GetTempPath(), "portal-process-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        var database = Path.Combine(folder, "portal.db");
        var pagerDuty = await FakePagerDutyServer.StartAsync();
        var environment = new Dictionary<string, string>
        {
            ["PagerDuty__Mode"] = "Live",
            ["PagerDuty__ApiKey"] = FakePagerDutyServer.DefaultApiKey,
            ["PagerDuty__BaseUrl"] = pagerDuty.BaseUrl.ToString(),
            ["PagerDuty__FromEmail"] = FakePagerDutyServer.IntegrationEmail,
            // the lease the killed process took runs out soon after the kill, so the new process claims the action again
            ["Dispatch__Lease"] = "00:00:03",
        };
        var processes = new List<PortalProcess>();
        var clock = Stopwatch.StartNew();
        void Phase(string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,5:0.0} s  {what}");
        try
        {
            var held = pagerDuty.HoldNext("POST", "incidents", carryOut: pagerDutyActedBeforeTheKill);

            var first = await PortalProcess.StartAsync("first", database, environment);
            processes.Add(first);
            Phase($"first portal ready (pid {first.Id})");
            string recordId;
            using (var http = first.CreateClient())
            {
                await PutRulesAsync(http, pagerDuty.Services[0].Id);
                using var created = await http.PostAsync("/api/objects/Case/records", Json("""{"fields":{"Subject":"Checkout down","Priority":"High"}}"""));
                var body = await created.Content.ReadAsStringAsync();
                Assert.True(created.StatusCode == HttpStatusCode.Created, $"POST /api/objects/Case/records answered {(int)created.StatusCode}: {body}");
                recordId = JsonNode.Parse(body)!["id"]!.GetValue<string>();
            }
            var incidentKey = $"portal:Case:{recordId}";

            // the rule's create is at PagerDuty and held there: the call is in flight
            var create = await held.WaitAsync(Patience);
            Phase("POST /incidents held at the fake");
            Assert.Equal(incidentKey, create.Json?["incident"]?["incident_key"]?.GetValue<string>());

            await first.KillAsync();
            Assert.True(first.HasExited);
            Phase("first portal killed");
            var killed = PlannedActions(database);
            Assert.Equal((PlannedActionStates.InFlight, 1, (string?)null), Assert.Single(killed));
            Assert.Equal(pagerDutyActedBeforeTheKill ? 1 : 0, pagerDuty.Incidents.Count);

            var restarted = await PortalProcess.StartAsync("restarted", database, environment);
            processes.Add(restarted);
            Phase($"restarted portal ready (pid {restarted.Id})");
            JsonArray linked;
            using (var http = restarted.CreateClient())
            {
                linked = await UntilAsync(async () =>
                {
                    // given up on for good is a failure now, not after the wait
                    if (DeadLettered(database) is { } error) throw new XunitException($"The restarted portal dead-lettered the create: {error}");
                    var record = JsonNode.Parse(await http.GetStringAsync($"/api/objects/Case/records/{recordId}"))!;
                    return record["incidents"] is JsonArray { Count: > 0 } incidents ? incidents : null;
                }, $"record {recordId} to show a linked incident");
            }

            Phase("incident linked");
            var incident = Assert.Single(pagerDuty.Incidents, i => i.IncidentKey == incidentKey);
            Assert.Single(pagerDuty.Incidents);
            var link = Assert.Single(linked);
            Assert.Equal(incident.Id, link!["incidentId"]?.GetValue<string>());
            Assert.Equal(incident.Number, link["number"]?.GetValue<long>());
            Assert.Equal((PlannedActionStates.Succeeded, 2, incident.Id), Assert.Single(PlannedActions(database)));

            var creates = pagerDuty.Requests.Where(r => r.Method == "POST" && r.Path == "/incidents").ToList();
            Assert.All(creates, c => Assert.Equal(incidentKey, c.Json?["incident"]?["incident_key"]?.GetValue<string>()));
            then(new Run(pagerDuty, incidentKey, creates));
        }
        catch (Exception e)
        {
            throw new XunitException($"{e.Message}\n\nafter {clock.Elapsed.TotalSeconds:0.0} s; fake PagerDuty saw: " +
                string.Join(", ", pagerDuty.Requests.Select(r => $"{r.Method} {r.PathAndQuery}")) +
                string.Concat(processes.Select(p => $"\n\n--- portal process '{p.Name}' (pid {p.Id}) output ---\n{p.Output}")), e);
        }
        finally
        {
            foreach (var process in processes) await process.DisposeAsync();
            await pagerDuty.DisposeAsync();
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
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

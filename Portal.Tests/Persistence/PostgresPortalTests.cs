using System.Net;
using System.Text;
using System.Text.Json;
using Portal.Tests.Infrastructure;
using Portal.Tests.Rulesets;

namespace Portal.Tests.Persistence;

/// The real portal process on PostgreSQL, as `dotnet run --project Portal -- --Database:Provider=Postgres
/// --ConnectionStrings:Portal="Host=…"` starts it: an empty database is migrated and serves the portal.
[Collection(PostgresCollection.Name)]
public sealed class PostgresPortalTests(PostgresCluster cluster)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static Dictionary<string, string> OnPostgres(string connectionString) => new()
    {
        ["Database__Provider"] = "Postgres",
        ["ConnectionStrings__Portal"] = connectionString,
    };

    [Fact]
    public async Task AnEmptyDatabaseStartsAWorkingPortalWhoseRulesPageThroughTheSandbox()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var portal = await PortalProcess.StartAsync("postgres", databaseFile: null, OnPostgres(database));
        using var http = portal.CreateClient();

        (await http.PutAsync("/api/rulesets", Json(RulesWiringTests.ContractExample))).EnsureSuccessStatusCode();
        using var created = await http.PostAsync("/api/objects/Case/records", Json("""{"fields":{"Subject":"Checkout down","Priority":"High"}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        // the rule's incident is made in the sandbox by the dispatcher and linked to the case
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement record;
        do
        {
            await Task.Delay(200);
            record = JsonDocument.Parse(await http.GetStringAsync($"/api/objects/Case/records/{id}")).RootElement;
        } while (record.GetProperty("incidents").GetArrayLength() == 0 && DateTime.UtcNow < deadline);
        Assert.Equal(1, record.GetProperty("incidents").GetArrayLength());

        // the log's text search is PostgreSQL's (ILIKE over the trigram index), in any case
        var logs = JsonDocument.Parse(await http.GetStringAsync("/api/logs?text=RULES+VERSION")).RootElement;
        Assert.NotEqual(0, logs.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task ASecondInstanceOnTheSameDatabaseStartsAndEachHoldsItsLivenessLockUntilItIsGone()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var first = await PortalProcess.StartAsync("first", databaseFile: null, OnPostgres(database));
        await using var second = await PortalProcess.StartAsync("second", databaseFile: null, OnPostgres(database));

        Assert.Equal([first.Id, second.Id], await LivenessHoldersAsync(database));
        await first.KillAsync();
        // the server ends a killed process's session (and frees its lock) once it sees the connection close
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await LivenessHoldersAsync(database)).Count > 1 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal([second.Id], await LivenessHoldersAsync(database));
    }

    /// The pids of the portal instances holding an advisory lock on `database` through their liveness sessions.
    private static async Task<List<int>> LivenessHoldersAsync(string database)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("""
            SELECT a.application_name FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
            WHERE a.datname = current_database() AND a.application_name LIKE 'Portal instance %'
            """, connection);
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        // the instance id is machine:pid:nonce
        while (await reader.ReadAsync()) pids.Add(int.Parse(reader.GetString(0).Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
        return [.. pids.Order()];
    }
}

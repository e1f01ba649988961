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
    public async Task ASecondInstanceOnTheSameDatabaseIsRefusedNamingIt()
    {
        var database = await cluster.CreateDatabaseAsync();
        await using var first = await PortalProcess.StartAsync("first", databaseFile: null, OnPostgres(database));
        var name = new Npgsql.NpgsqlConnectionStringBuilder(database).Database;

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => PortalProcess.StartAsync("second", databaseFile: null, OnPostgres(database)));

        Assert.Contains($"Another Portal instance is using the PostgreSQL database {name}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("exited with 1", refused.Message, StringComparison.Ordinal);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Core;
using Portal.Core.Notifications;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Security;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;
using Portal.Tests.Rulesets;
using Portal.Tests.Webhooks;

namespace Portal.Tests.Notifications;

/// Two portal instances on one PostgreSQL database (contract section 7): what one saves is in force on the other for
/// its next event, with the change bus switched off on it (the version checks alone), and the bus brings the other
/// instance's changes to its subscribers within seconds.
[Collection(PostgresCollection.Name)]
public sealed class ChangeBusTests(PostgresCluster cluster) : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(15);
    private FakePagerDutyServer _pagerDuty = default!;
    private string _database = "";
    private readonly List<IDisposable> _hosts = [];

    public async Task InitializeAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        _database = await cluster.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts)) host.Dispose();
        await _pagerDuty.DisposeAsync();
    }

    /// One more started instance on the test's database; `bus: false` starts it without the change bus.
    private WebApplicationFactory<Program> Instance(bool bus = true)
    {
        var portal = new PortalAppFactory(settings: new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Portal"] = _database,
            ["ChangeBus:Enabled"] = bus ? "true" : "false",
            ["PagerDuty:ApiKey"] = FakePagerDutyServer.DefaultApiKey,
            ["PagerDuty:BaseUrl"] = _pagerDuty.BaseUrl.ToString(),
            ["PagerDuty:FromEmail"] = FakePagerDutyServer.IntegrationEmail,
        });
        _hosts.Add(portal);
        // today's build refuses a second instance at start (PostgresInstanceLock); these hosts share the database
        var shared = portal.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IDatabaseOwnership, SharedDatabase>()));
        _hosts.Add(shared);
        shared.CreateClient().Dispose();
        return shared;
    }

    private sealed class SharedDatabase : IDatabaseOwnership
    {
        public void Acquire(string connectionString) { }
        public void Dispose() { }
    }

    private static HttpClient As(WebApplicationFactory<Program> portal, string role)
    {
        var client = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PortalAppFactory.TokenFor(role));
        return client;
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<string> CreateRecordAsync(HttpClient client, string objectName, string fieldsJson)
    {
        using var response = await client.PostAsync($"/api/objects/{objectName}/records", Body($$"""{"fields":{{fieldsJson}}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<List<string>> PlannedAsync(WebApplicationFactory<Program> portal, string recordId)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.PlannedActions.Where(a => a.RecordId == recordId).Select(a => a.ActionType + " by " + a.Rule).ToListAsync();
    }

    [Fact]
    public async Task ARulesetSavedOnOneInstanceIsInForceOnAnotherForItsNextRecordChangeWithoutTheBus()
    {
        var a = Instance();
        var b = Instance(bus: false);
        using var managerA = As(a, Roles.Manager);
        using var userB = As(b, Roles.User);
        // B has its rules (none yet) in memory before A saves
        var before = await CreateRecordAsync(userB, "Case", """{"Subject":"Checkout down","Priority":"High"}""");
        Assert.Empty(await PlannedAsync(b, before));

        using (var put = await managerA.PutAsync("/api/rulesets", Body(RulesWiringTests.ContractExample)))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var after = await CreateRecordAsync(userB, "Case", """{"Subject":"Checkout down again","Priority":"High"}""");
        Assert.Equal(["createIncident by Page support for high-priority cases"], await PlannedAsync(b, after));
        using var rules = await userB.GetAsync("/api/rulesets");
        Assert.Equal("1", rules.Headers.GetValues("Portal-Rules-Version").Single());
    }

    [Fact]
    public async Task AnObjectTypeAndAFieldDefinedOnOneInstanceAreServedByAnotherWithoutTheBus()
    {
        var a = Instance();
        var b = Instance(bus: false);
        using var adminA = As(a, Roles.Administrator);
        using var userB = As(b, Roles.User);
        var known = await userB.GetFromJsonAsync<JsonElement>("/api/objects");
        Assert.DoesNotContain(known.GetProperty("objects").EnumerateArray(), o => o.GetProperty("name").GetString() == "Opportunity");
        using (var missing = await userB.GetAsync("/api/objects/Opportunity/records"))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using (var define = await adminA.PostAsync("/api/objects",
            Body("""{"name":"Opportunity","label":"Opportunity","runRules":true,"fields":[{"name":"Amount","label":"Amount","type":"number"}]}""")))
            Assert.Equal(HttpStatusCode.Created, define.StatusCode);
        await CreateRecordAsync(userB, "Opportunity", """{"Amount":5}""");

        using (var field = await adminA.PostAsync("/api/objects/Opportunity/fields", Body("""{"name":"Stage","label":"Stage","type":"text"}""")))
            Assert.Equal(HttpStatusCode.Created, field.StatusCode);
        await CreateRecordAsync(userB, "Opportunity", """{"Amount":6,"Stage":"Prospecting"}""");
    }

    [Fact]
    public async Task AWebhookSecretStoredOnOneInstanceVerifiesTheNextDeliveryToAnotherWithoutTheBus()
    {
        var a = Instance();
        var b = Instance(bus: false);
        using var pagerDutyToB = b.CreateClient();
        const string unknown = "a-secret-no-instance-knows-yet";
        using (var refused = await pagerDutyToB.SendAsync(SignedDelivery.Triggered("01CHANGEBUSREFUSED00000000", unknown)))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        await a.Services.GetRequiredService<WebhookSubscriptions>().SubscribeAsync("https://portal.example.com/", "account_reference", null, "admin");
        var secret = Assert.Single(_pagerDuty.Subscriptions).Secret;

        using var accepted = await pagerDutyToB.SendAsync(SignedDelivery.Triggered("01CHANGEBUSACCEPTED0000000", secret));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    [Fact]
    public async Task TheBusBringsAnotherInstancesChangesToSubscribersWithinSecondsAndAfterItsConnectionIsCut()
    {
        var a = Instance();
        var b = Instance();
        await WaitForListenersAsync(a, b);
        using var adminA = As(a, Roles.Administrator);
        var notifierB = b.Services.GetRequiredService<ChangeNotifier>();
        // B's pages have read the object types before A defines one
        var catalogB = b.Services.GetRequiredService<ObjectCatalog>();
        Assert.Null((await catalogB.GetAsync()).Find("Widget"));
        var catalogChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onCatalog = notifierB.Subscribe<ObjectCatalogChanged>(_ => catalogChanged.TrySetResult());

        using (var define = await adminA.PostAsync("/api/objects", Body("""{"name":"Widget","fields":[{"name":"Size","type":"number"}]}""")))
            Assert.Equal(HttpStatusCode.Created, define.StatusCode);
        await catalogChanged.Task.WaitAsync(Soon);
        // read from B's cache as a page would, with no request to B that checks the database
        Assert.NotNull((await catalogB.GetAsync()).Find("Widget"));

        // the listening session of B is cut: it listens again, and the next change still arrives
        var listenerB = await ListenerPidAsync(b);
        await using (var server = new NpgsqlConnection(_database))
        {
            await server.OpenAsync();
            await using var kill = new NpgsqlCommand($"SELECT pg_terminate_backend({listenerB})", server);
            await kill.ExecuteScalarAsync();
        }
        await WaitUntilAsync(async () => await ListenerPidAsync(b) is { } pid && pid != listenerB);

        var heardOnB = new TaskCompletionSource<RecordChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        var heardOnA = 0;
        string? id = null;
        using var onB = notifierB.Subscribe<RecordChange>(change => { if (change.Object == "Widget") heardOnB.TrySetResult(change); });
        using var onA = a.Services.GetRequiredService<ChangeNotifier>().Subscribe<RecordChange>(change =>
        {
            if (change.Object == "Widget") Interlocked.Increment(ref heardOnA);
        });
        id = await CreateRecordAsync(adminA, "Widget", """{"Size":3}""");
        var received = await heardOnB.Task.WaitAsync(Soon);
        Assert.Equal(id, received.RecordId);
        Assert.True(received.IsInsert);
        // A's own change came back on the bus too, and was not told twice
        Assert.Equal(1, heardOnA);
    }

    private async Task WaitForListenersAsync(params WebApplicationFactory<Program>[] portals)
    {
        foreach (var portal in portals) await WaitUntilAsync(async () => await ListenerPidAsync(portal) is not null);
    }

    /// The server process of `portal`'s listening session, if it is listening.
    private async Task<int?> ListenerPidAsync(WebApplicationFactory<Program> portal)
    {
        var name = PostgresChangeBus.ListenerName(portal.Services.GetRequiredService<PortalInstance>().Id);
        await using var server = new NpgsqlConnection(_database);
        await server.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT pid FROM pg_stat_activity WHERE application_name = @name AND query = 'LISTEN portal_changes' AND state = 'idle'", server);
        query.Parameters.AddWithValue("name", name);
        return await query.ExecuteScalarAsync() as int?;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + Soon;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not hold within 15 s");
            await Task.Delay(50);
        }
    }
}

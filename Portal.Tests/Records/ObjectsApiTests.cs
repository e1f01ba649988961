using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Records;

/// The object-type changes of `/api/objects` beyond the contract's create: PATCH and DELETE of an object type and a field.
public class ObjectsApiTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private HttpClient Admin() => fixture.Factory.CreateClientAs(Roles.Administrator);

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static string NewName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private static async Task<string> DefineAsync(HttpClient client, string fields)
    {
        var name = NewName("Api");
        using var created = await client.PostAsync("/api/objects", Body($$"""{"name":"{{name}}","fields":{{fields}}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return name;
    }

    private static async Task<JsonElement> ObjectAsync(HttpClient client, string name) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/objects")).GetProperty("objects").EnumerateArray()
            .Single(o => o.GetProperty("name").GetString() == name);

    [Fact]
    public async Task RelabelsAnObjectTypeAndChangesAFieldIntoAPicklist()
    {
        using var client = Admin();
        var name = await DefineAsync(client, """[{"name":"Stage","type":"text"}]""");
        using var record = await client.PostAsync($"/api/objects/{name}/records", Body("""{"fields":{"Stage":"Open"}}"""));
        Assert.Equal(HttpStatusCode.Created, record.StatusCode);

        using var relabelled = await client.PatchAsync($"/api/objects/{name}", Body("""{"label":"Deal","runRules":false}"""));
        Assert.Equal(HttpStatusCode.OK, relabelled.StatusCode);
        var type = await ReadAsync(relabelled);
        Assert.Equal("Deal", type.GetProperty("label").GetString());
        Assert.False(type.GetProperty("runRules").GetBoolean());

        using var changed = await client.PatchAsync($"/api/objects/{name}/fields/Stage",
            Body("""{"label":"Sales stage","type":"picklist","values":["Open","Won"]}"""));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var field = await ReadAsync(changed);
        Assert.Equal("""{"name":"Stage","label":"Sales stage","type":"picklist","values":["Open","Won"]}""", field.GetRawText());
        var listed = (await ObjectAsync(client, name)).GetProperty("fields")[0];
        Assert.Equal("picklist", listed.GetProperty("type").GetString());
    }

    [Fact]
    public async Task RefusesAPicklistLeavingOutStoredValuesWith409NamingTheRecord()
    {
        using var client = Admin();
        var name = await DefineAsync(client, """[{"name":"Stage","type":"text"}]""");
        using var record = await client.PostAsync($"/api/objects/{name}/records", Body("""{"fields":{"Stage":"Lost"}}"""));
        var id = (await ReadAsync(record)).GetProperty("id").GetString();

        using var response = await client.PatchAsync($"/api/objects/{name}/fields/Stage", Body("""{"type":"picklist","values":["Open","Won"]}"""));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadAsync(response);
        Assert.Contains($"{name} {id} holds 'Lost'", problem.GetProperty("detail").GetString());
        Assert.Contains("holds 'Lost'", problem.GetProperty("errors").GetProperty("values")[0].GetString());
        Assert.Equal("text", (await ObjectAsync(client, name)).GetProperty("fields")[0].GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("""{"label":"x","name":"Other"}""", "name", "'name' cannot be changed here")]
    [InlineData("""{"type":"picklist"}""", "values", "needs at least one value")]
    [InlineData("""{"type":"number"}""", "type", "only a text field can become a picklist")]
    [InlineData("""{"values":"Open"}""", "values", "The body does not have the expected shape")]
    public async Task RefusesABadFieldChangeWith400NamingTheField(string json, string key, string message)
    {
        using var client = Admin();
        var name = await DefineAsync(client, """[{"name":"Stage","type":"text"}]""");
        using var response = await client.PatchAsync($"/api/objects/{name}/fields/Stage", Body(json));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, (await ReadAsync(response)).GetProperty("errors").GetProperty(key)[0].GetString());
        Assert.Equal("Stage", (await ObjectAsync(client, name)).GetProperty("fields")[0].GetProperty("label").GetString());
    }

    [Fact]
    public async Task RemovesAnUnusedFieldAndObjectTypeAndRefusesWhatIsInUseOrBuiltIn()
    {
        using var client = Admin();
        var name = await DefineAsync(client, """[{"name":"Stage","type":"text"},{"name":"Spare","type":"number"}]""");
        using var record = await client.PostAsync($"/api/objects/{name}/records", Body("""{"fields":{"Stage":"Open"}}"""));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/objects/{name}/fields/Spare")).StatusCode);
        Assert.Equal(["Stage"], (await ObjectAsync(client, name)).GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        using var inUse = await client.DeleteAsync($"/api/objects/{name}/fields/Stage");
        Assert.Equal(HttpStatusCode.Conflict, inUse.StatusCode);
        Assert.Contains("1 record holds a value for it", (await ReadAsync(inUse)).GetProperty("detail").GetString());
        using var withRecords = await client.DeleteAsync($"/api/objects/{name}");
        Assert.Equal(HttpStatusCode.Conflict, withRecords.StatusCode);
        Assert.Contains("it has 1 record", (await ReadAsync(withRecords)).GetProperty("detail").GetString());

        using var builtIn = await client.DeleteAsync("/api/objects/Case/fields/Subject");
        Assert.Equal(HttpStatusCode.Conflict, builtIn.StatusCode);
        Assert.Contains("built in", (await ReadAsync(builtIn)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await client.DeleteAsync("/api/objects/Incident")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/objects/{name}/fields/Nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PatchAsync("/api/objects/NoSuchType", Body("""{"label":"x"}"""))).StatusCode);

        var empty = await DefineAsync(client, "[]");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/objects/{empty}")).StatusCode);
        Assert.DoesNotContain((await client.GetFromJsonAsync<JsonElement>("/api/objects")).GetProperty("objects").EnumerateArray(),
            o => o.GetProperty("name").GetString() == empty);
    }

    [Theory]
    [InlineData(Roles.Manager)]
    [InlineData(Roles.Auditor)]
    public async Task OnlyAnAdministratorChangesObjectTypes(string role)
    {
        using var admin = Admin();
        var name = await DefineAsync(admin, """[{"name":"Stage","type":"text"}]""");
        using var client = fixture.Factory.CreateClientAs(role);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PatchAsync($"/api/objects/{name}", Body("""{"label":"x"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PatchAsync($"/api/objects/{name}/fields/Stage", Body("""{"label":"x"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync($"/api/objects/{name}/fields/Stage")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync($"/api/objects/{name}")).StatusCode);
        var type = await ObjectAsync(admin, name);
        Assert.Equal(name, type.GetProperty("label").GetString());
        Assert.Equal("Stage", type.GetProperty("fields")[0].GetProperty("label").GetString());
    }
}

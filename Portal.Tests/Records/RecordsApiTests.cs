using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Links;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Records;

public class RecordsApiTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private HttpClient Client(string role = Roles.Manager) => fixture.Factory.CreateClientAs(role);

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task CreatesReadsChangesAndListsARecord()
    {
        using var client = Client();
        using var created = await client.PostAsync("/api/objects/Case/records", Body("""{"fields":{"Subject":"Checkout down","Priority":"High"}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var record = await ReadAsync(created);
        var id = record.GetProperty("id").GetString()!;
        Assert.Equal("Case", record.GetProperty("object").GetString());
        Assert.Equal($"/api/objects/Case/records/{id}", created.Headers.Location!.OriginalString);
        Assert.Matches("^[0-9]{8}$", record.GetProperty("fields").GetProperty("CaseNumber").GetString());
        Assert.EndsWith("Z", record.GetProperty("createdUtc").GetString());
        Assert.Equal(0, record.GetProperty("incidents").GetArrayLength());

        using var patched = await client.PatchAsync($"/api/objects/Case/records/{id}", Body("""{"fields":{"Status":"Working"}}"""));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var fields = (await ReadAsync(patched)).GetProperty("fields");
        Assert.Equal("Working", fields.GetProperty("Status").GetString());
        Assert.Equal("High", fields.GetProperty("Priority").GetString());

        var read = await client.GetFromJsonAsync<JsonElement>($"/api/objects/Case/records/{id}");
        Assert.Equal("Working", read.GetProperty("fields").GetProperty("Status").GetString());

        var list = await client.GetFromJsonAsync<JsonElement>("/api/objects/Case/records?limit=1&offset=0");
        Assert.True(list.GetProperty("total").GetInt32() >= 1);
        Assert.Equal(1, list.GetProperty("records").GetArrayLength());
    }

    [Fact]
    public async Task ShowsLinkedIncidentsInTheContractShape()
    {
        var id = await fixture.CaseIdAsync();
        await fixture.Factory.Services.GetRequiredService<IncidentLinks>().LinkAsync(id,
            new IncidentState("Q2CKYRLH85UNN4", 37, "Checkout down", "triggered", "high", "P1", "PNE3JZM", "Checkout", "https://example.pagerduty.com/incidents/Q2CKYRLH85UNN4"), "test");
        using var client = Client(Roles.Auditor);
        var record = await client.GetFromJsonAsync<JsonElement>($"/api/objects/Case/records/{id}");
        var incident = record.GetProperty("incidents").EnumerateArray().Single(i => i.GetProperty("incidentId").GetString() == "Q2CKYRLH85UNN4");
        Assert.Equal(37, incident.GetProperty("number").GetInt64());
        foreach (var (name, value) in new[] { ("title", "Checkout down"), ("status", "triggered"), ("urgency", "high"), ("priority", "P1"),
                     ("serviceId", "PNE3JZM"), ("htmlUrl", "https://example.pagerduty.com/incidents/Q2CKYRLH85UNN4") })
            Assert.Equal(value, incident.GetProperty(name).GetString());

        using var manager = Client(Roles.Manager);
        Assert.Equal(HttpStatusCode.NoContent, (await manager.DeleteAsync($"/api/objects/Case/records/{id}/incidents/Q2CKYRLH85UNN4")).StatusCode);
    }

    [Theory]
    [InlineData("""{"fields":{"Priorty":"High"}}""", "fields.Priorty", "Field 'Priorty' is not defined on object 'Case'.")]
    [InlineData("""{"fields":{"Subject":12}}""", "fields.Subject", "Field 'Subject' is text; got the number 12.")]
    [InlineData("""{"fields":"Subject"}""", "fields", "The body needs 'fields' as a JSON object.")]
    [InlineData("""{"Subject":"no wrapper"}""", "fields", "The body needs 'fields' as a JSON object.")]
    [InlineData("{\"fields\":{\"Subject\":\"x\"", "body", "The body is not valid JSON")]
    [InlineData("""[1,2]""", "body", "The body must be a JSON object.")]
    public async Task RefusesBadBodiesWith400NamingTheProblem(string json, string key, string message)
    {
        using var client = Client();
        var before = (await client.GetFromJsonAsync<JsonElement>("/api/objects/Case/records")).GetProperty("total").GetInt32();
        using var response = await client.PostAsync("/api/objects/Case/records", Body(json));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadAsync(response);
        Assert.StartsWith(message, problem.GetProperty("errors").GetProperty(key)[0].GetString());
        var after = (await client.GetFromJsonAsync<JsonElement>("/api/objects/Case/records")).GetProperty("total").GetInt32();
        Assert.Equal(before, after);
    }

    private static HttpRequestMessage Keyed(string json, params string[] keys)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/objects/Case/records") { Content = Body(json) };
        foreach (var key in keys) request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return request;
    }

    private static async Task<int> TotalAsync(HttpClient client, string search) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/objects/Case/records?q={Uri.EscapeDataString(search)}")).GetProperty("total").GetInt32();

    [Fact]
    public async Task ACreateSentTwiceWithOneIdempotencyKeyMakesOneRecord()
    {
        using var client = Client();
        var subject = $"Keyed create {Guid.NewGuid():N}";
        var key = Guid.NewGuid().ToString();
        var json = $$$"""{"fields":{"Subject":"{{{subject}}}","Priority":"High"}}""";
        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.SendAsync(Keyed(json, key))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        var ids = new List<string>();
        foreach (var answer in answers) ids.Add((await ReadAsync(answer)).GetProperty("id").GetString()!);
        Assert.Single(ids.Distinct());
        Assert.Equal(2, answers.Count(a => a.Headers.TryGetValues("Idempotent-Replayed", out var v) && v.Single() == "true"));
        Assert.Equal(1, await TotalAsync(client, subject));
        foreach (var answer in answers) answer.Dispose();
    }

    [Fact]
    public async Task RefusesAnIdempotencyKeyReusedForOtherValuesOrSentTwiceWith400()
    {
        using var client = Client();
        var subject = $"Reused key {Guid.NewGuid():N}";
        var key = Guid.NewGuid().ToString();
        using (var first = await client.SendAsync(Keyed($$$"""{"fields":{"Subject":"{{{subject}}}"}}""", key)))
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        using var reused = await client.SendAsync(Keyed($$$"""{"fields":{"Subject":"{{{subject}}} again"}}""", key));
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        Assert.StartsWith($"'Idempotency-Key' '{key}' was already used to create Case ",
            (await ReadAsync(reused)).GetProperty("errors").GetProperty("Idempotency-Key")[0].GetString());

        using var two = await client.SendAsync(Keyed($$$"""{"fields":{"Subject":"{{{subject}}} two keys"}}""", "a", "b"));
        Assert.Equal(HttpStatusCode.BadRequest, two.StatusCode);
        Assert.Equal("Send one 'Idempotency-Key' header, not 2.", (await ReadAsync(two)).GetProperty("errors").GetProperty("Idempotency-Key")[0].GetString());
        Assert.Equal(1, await TotalAsync(client, subject));
    }

    [Fact]
    public async Task AnswersNotFoundForAnUnknownObjectOrRecord()
    {
        using var client = Client();
        using var noObject = await client.PostAsync("/api/objects/Nope/records", Body("""{"fields":{}}"""));
        Assert.Equal(HttpStatusCode.NotFound, noObject.StatusCode);
        Assert.Contains("There is no object type 'Nope'", (await ReadAsync(noObject)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/objects/Case/records/missing")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PatchAsync("/api/objects/Case/records/missing", Body("""{"fields":{}}"""))).StatusCode);
    }

    [Fact]
    public async Task RefusesAnOversizedBodyWith413()
    {
        using var client = Client();
        var huge = "{\"fields\":{\"Description\":\"" + new string('x', 1_100_000) + "\"}}";
        using var response = await client.PostAsync("/api/objects/Case/records", Body(huge));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static ByteArrayContent Raw(byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("text/plain; x=+json")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/merge-patch+json")]
    [InlineData("application/json-seq")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=utf-8; x=1")]
    public async Task RefusesABodyNotSentAsApplicationJsonWith415(string? contentType)
    {
        using var client = Client();
        var subject = $"typed {Guid.NewGuid():n}";
        using var response = await client.PostAsync("/api/objects/Case/records", Raw(Encoding.UTF8.GetBytes("{\"fields\":{\"Subject\":\"" + subject + "\"}}"), contentType));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await ReadAsync(response)).GetProperty("detail").GetString()!;
        Assert.Contains("as 'application/json' (or 'application/json; charset=utf-8')", detail);
        Assert.Contains(contentType is null ? "no Content-Type" : $"sent as '{contentType}'", detail);
        var found = await client.GetFromJsonAsync<JsonElement>($"/api/objects/Case/records?q={subject}");
        Assert.Equal(0, found.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("Application/JSON")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json;charset=\"UTF-8\"")]
    public async Task AcceptsApplicationJsonWithOrWithoutTheUtf8Charset(string contentType)
    {
        using var client = Client();
        using var response = await client.PostAsync("/api/objects/Case/records", Raw("""{"fields":{"Subject":"typed"}}"""u8.ToArray(), contentType));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static TheoryData<byte[], string> UndecodableBodies() => new()
    {
        { [.. "{\"fields\":{\"Subject\":\"a"u8, 0xFF, .. "b\"}}"u8], "The string that starts at LineNumber: 0 | BytePositionInLine: 21" },
        { "{\"fields\":{\"Subject\":\"a\\ud800b\"}}"u8.ToArray(), "The string that starts at LineNumber: 0 | BytePositionInLine: 21" },
        { [.. "{\"fields\":{\"Subject\":\"a"u8, 0xED, 0xA0, 0x80, .. "b\"}}"u8], "The string that starts at LineNumber: 0 | BytePositionInLine: 21" },
        { [.. "{\"fields\":{\n  \"Subject\": \"ok\",\n  \"Descr"u8, 0xC3, .. "\":\"x\"}}"u8], "The property name that starts at LineNumber: 2 | BytePositionInLine: 2" },
    };

    [Theory]
    [MemberData(nameof(UndecodableBodies))]
    public async Task RefusesAStringThatIsNotUnicodeWith400NamingWhereItStarts(byte[] body, string message)
    {
        using var client = Client();
        using var response = await client.PostAsync("/api/objects/Case/records", Raw(body, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await ReadAsync(response)).GetProperty("errors").GetProperty("body")[0].GetString();
        Assert.Equal($"The body is not valid JSON: {message} is not valid UTF-8 or holds a lone surrogate.", error);
    }

    [Fact]
    public async Task RefusesOutOfRangePaging()
    {
        using var client = Client();
        using var response = await client.GetAsync("/api/objects/Case/records?limit=1000");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await ReadAsync(response)).GetProperty("errors").TryGetProperty("limit", out _));
    }

    [Fact]
    public async Task DefinesAnObjectTypeAndUsesItsFieldTypes()
    {
        using var admin = Client(Roles.Administrator);
        using var defined = await admin.PostAsync("/api/objects", Body("""
            {"name":"Opportunity","label":"Opportunity","runRules":true,
             "fields":[{"name":"StageName","label":"Stage","type":"picklist","values":["Prospecting","Closed Won"]},
                       {"name":"Amount","label":"Amount","type":"number"}]}
            """));
        Assert.Equal(HttpStatusCode.Created, defined.StatusCode);
        using var field = await admin.PostAsync("/api/objects/Opportunity/fields", Body("""{"name":"Won","type":"boolean"}"""));
        Assert.Equal(HttpStatusCode.Created, field.StatusCode);

        var objects = await admin.GetFromJsonAsync<JsonElement>("/api/objects");
        var opportunity = objects.GetProperty("objects").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "Opportunity");
        Assert.Equal(["StageName", "Amount", "Won"], opportunity.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        Assert.False(opportunity.GetProperty("fields")[1].TryGetProperty("values", out _));

        using var record = await admin.PostAsync("/api/objects/Opportunity/records", Body("""{"fields":{"StageName":"Prospecting","Amount":1200.5,"Won":false}}"""));
        Assert.Equal(HttpStatusCode.Created, record.StatusCode);
        using var bad = await admin.PostAsync("/api/objects", Body("""{"name":"Bad Name","fields":[]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await ReadAsync(bad)).GetProperty("errors").TryGetProperty("name", out _));
    }

    [Fact]
    public async Task AddsCommentsAndRefusesEmptyOnes()
    {
        var id = await fixture.CaseIdAsync();
        using var client = Client(Roles.User);
        using var created = await client.PostAsync($"/api/objects/Case/records/{id}/comments", Body("""{"body":"Customer called again"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("Customer called again", (await ReadAsync(created)).GetProperty("body").GetString());
        using var empty = await client.PostAsync($"/api/objects/Case/records/{id}/comments", Body("""{"body":""}"""));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var comments = await client.GetFromJsonAsync<JsonElement>($"/api/objects/Case/records/{id}/comments");
        Assert.Contains(comments.GetProperty("comments").EnumerateArray(), c => c.GetProperty("body").GetString() == "Customer called again");
    }
}

/// The same API calls against a portal on PostgreSQL.
[Collection(PostgresCollection.Name)]
public sealed class RecordsApiOnPostgresTests(PostgresCluster cluster) : RecordsApiTests(cluster.SharedPortal(nameof(RecordsApiOnPostgresTests)));

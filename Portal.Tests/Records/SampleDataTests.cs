using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Records;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Records;

public sealed class SampleDataTests
{
    [Fact]
    public async Task SeedsABrandNewDatabaseOnceAndNeverAgain()
    {
        using var factory = new PortalAppFactory(settings: new Dictionary<string, string?> { ["Portal:SeedSampleData"] = "true" });
        using var client = factory.CreateClientAs(Roles.Auditor);
        var cases = await client.GetFromJsonAsync<JsonElement>("/api/objects/Case/records");
        var incidents = await client.GetFromJsonAsync<JsonElement>("/api/objects/Incident/records");
        Assert.Equal(4, cases.GetProperty("total").GetInt32());
        Assert.Equal(2, incidents.GetProperty("total").GetInt32());

        await factory.Services.GetRequiredService<SampleData>().SeedAsync();
        Assert.Equal(4, (await client.GetFromJsonAsync<JsonElement>("/api/objects/Case/records")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task LeavesTheDatabaseEmptyWhenSwitchedOff()
    {
        using var factory = new PortalAppFactory();
        using var client = factory.CreateClientAs(Roles.Auditor);
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/objects/Case/records")).GetProperty("total").GetInt32());
    }
}

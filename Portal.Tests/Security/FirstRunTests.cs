using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

public sealed class FirstRunTests
{
    private sealed record Me(string Name, string Role, string Kind);

    [Fact]
    public async Task OffersSetUpUntilTheFirstAdministratorExists()
    {
        using var factory = new PortalAppFactory(bootstrapAdmin: false);
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using (var login = await client.GetAsync("/login"))
        {
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            Assert.Equal("/setup", login.Headers.Location?.AbsolutePath);
        }

        using (var mismatch = await FormPost.SubmitAsync(client, "/setup", "setup", Fields("first@portal.test", "Passw0rd-first", "other")))
            Assert.Contains("The two passwords differ.", await mismatch.Content.ReadAsStringAsync());

        using (var created = await FormPost.SubmitAsync(client, "/setup", "setup", Fields("first@portal.test", "Passw0rd-first", "Passw0rd-first")))
            Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);

        Assert.Equal(new Me("first@portal.test", "Administrator", "user"), await client.GetFromJsonAsync<Me>("/api/me"));

        using var again = await client.GetAsync("/setup");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
    }

    [Fact]
    public async Task RefusesToStartWithAnUnusableBootstrapPassword()
    {
        using var factory = new PortalAppFactory(bootstrapAdmin: false, new Dictionary<string, string?>
        {
            ["Authentication:BootstrapAdmin:Email"] = "boot@portal.test",
            ["Authentication:BootstrapAdmin:Password"] = "short",
        });
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Authentication:BootstrapAdmin is not usable", error.ToString());
    }

    private static Dictionary<string, string> Fields(string email, string password, string confirm) => new()
    {
        ["Input.Email"] = email, ["Input.Password"] = password, ["Input.Confirm"] = confirm,
    };
}

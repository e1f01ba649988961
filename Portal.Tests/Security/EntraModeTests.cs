using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

public sealed class EntraModeTests
{
    private static PortalAppFactory Entra() => new(bootstrapAdmin: false, new Dictionary<string, string?>
    {
        ["Authentication:Mode"] = "EntraId",
        ["AzureAd:TenantId"] = "11111111-2222-3333-4444-555555555555",
        ["AzureAd:ClientId"] = "66666666-7777-8888-9999-000000000000",
    });

    [Fact]
    public async Task StartsOfflineAndStillServesTokensAndHealth()
    {
        using var factory = Entra();
        using var anonymous = factory.CreateClientAs(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/me")).StatusCode);

        using var auditor = factory.CreateClientAs(Roles.Auditor);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task ChallengesBrowsersWithOpenIdConnect()
    {
        using var factory = Entra();
        factory.CreateClient().Dispose();
        var schemes = factory.Services.GetRequiredService<IAuthenticationSchemeProvider>();
        Assert.NotNull(await schemes.GetSchemeAsync(OpenIdConnectDefaults.AuthenticationScheme));
        using var client = factory.CreateClientAs(null);
        var login = await client.GetStringAsync("/login");
        Assert.Contains("Sign in with Microsoft", login);
    }

    [Fact]
    public void MapsEntraAppRolesToPortalRoles()
    {
        var principal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim("roles", "Manager"), new System.Security.Claims.Claim("roles", "Unrelated")], "oidc"));
        Assert.Equal(["Manager"], PortalClaims.RolesOf(principal));
        Assert.True(PortalClaims.Has(principal, Permissions.RulesWrite));
        Assert.False(PortalClaims.Has(principal, Permissions.ConfigWrite));
    }

    [Fact]
    public async Task KeepsTheDefaultCircuitProviderAndChecksWritesAgainstTheEntraRoles()
    {
        using var factory = Entra();
        factory.CreateClient().Dispose();
        using var scope = factory.Services.CreateScope();
        Assert.IsNotType<Portal.Security.AccountRevalidatingAuthenticationStateProvider>(
            scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider>());

        // no account row: the roles are the ones Entra put in the sign-in
        var manager = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim("name", "mona@contoso.test"), new System.Security.Claims.Claim("roles", "Manager")], "oidc", "name", "roles"));
        var access = factory.Services.GetRequiredService<AccessCheck>();
        Assert.Equal("mona@contoso.test", (await access.DemandAsync(manager, Permissions.RulesWrite)).Name);
        await Assert.ThrowsAsync<Portal.Core.PortalForbiddenException>(() => access.DemandAsync(manager, Permissions.ConfigWrite));
    }
}

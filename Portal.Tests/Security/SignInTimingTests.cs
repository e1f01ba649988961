using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// A refused sign-in must cost what a wrong password costs (one password hash check), whether the e-mail has no
/// account, a disabled one or a locked one: otherwise the answer's time tells which e-mails have accounts. The test
/// counts the hash checks rather than timing them.
public sealed class SignInTimingTests : IDisposable
{
    private sealed class CountingHasher : IPasswordHasher<PortalUser>
    {
        private readonly PasswordHasher<PortalUser> _inner = new();
        private int _verified;

        public int Verified => Volatile.Read(ref _verified);

        public string HashPassword(PortalUser user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(PortalUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verified);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    private readonly PortalAppFactory _base = new();
    private readonly WebApplicationFactory<Program> _portal;
    private readonly CountingHasher _hasher = new();

    public SignInTimingTests() =>
        _portal = _base.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IPasswordHasher<PortalUser>>(_hasher)));

    public void Dispose()
    {
        _portal.Dispose();
        _base.Dispose();
    }

    /// How many password hash checks one refused sign-in made.
    private async Task<int> HashChecksOfARefusedSignInAsync(string email, string password)
    {
        using var client = _portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var before = _hasher.Verified;
        using var response = await FormPost.SignInAsync(client, email, password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the page again, with its message: not signed in
        return _hasher.Verified - before;
    }

    [Fact]
    public async Task UnknownDisabledAndLockedAccountsCostOneHashCheckLikeAWrongPassword()
    {
        var accounts = _portal.Services.GetRequiredService<AccountService>();
        Assert.Equal(1, await HashChecksOfARefusedSignInAsync(PortalAppFactory.AdminEmail, "not-the-password"));
        Assert.Equal(1, await HashChecksOfARefusedSignInAsync("nobody@portal.test", "not-the-password"));

        var disabled = await accounts.CreateAsync("disabled@portal.test", "Passw0rd-Passw0rd", Roles.User);
        await accounts.SetDisabledAsync(disabled.Id, true);
        Assert.Equal(1, await HashChecksOfARefusedSignInAsync("disabled@portal.test", "Passw0rd-Passw0rd"));

        await accounts.CreateAsync("locked@portal.test", "Passw0rd-Passw0rd", Roles.User);
        for (var i = 0; i < 5; i++) await HashChecksOfARefusedSignInAsync("locked@portal.test", "wrong");
        Assert.Equal(1, await HashChecksOfARefusedSignInAsync("locked@portal.test", "Passw0rd-Passw0rd"));
    }
}

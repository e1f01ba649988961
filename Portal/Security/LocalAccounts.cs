using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Security;

namespace Portal.Security;

/// Puts the account's one role and the caller kind into the sign-in cookie.
internal sealed class PortalClaimsPrincipalFactory(UserManager<PortalUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<PortalUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(ClaimTypes.Role, user.Role));
        identity.AddClaim(new Claim(PortalClaims.Kind, PortalClaims.KindUser));
        return identity;
    }
}

/// A disabled account cannot sign in, whatever its password. Every refused sign-in costs one password hash check, as
/// a wrong password does: Identity answers an unknown e-mail, a disabled account and a locked one without hashing, so
/// the answer's time would tell which e-mails have accounts (the message already does not).
internal sealed class PortalSignInManager(
    UserManager<PortalUser> users, IHttpContextAccessor contextAccessor, IUserClaimsPrincipalFactory<PortalUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor, ILogger<SignInManager<PortalUser>> logger, IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PortalUser> confirmation)
    : SignInManager<PortalUser>(users, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    private static readonly PortalUser NoOne = new();
    private static string? s_decoyHash;

    public override async Task<bool> CanSignInAsync(PortalUser user) => !user.IsDisabled && await base.CanSignInAsync(user);

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName);
        if (user is not null) return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
        SpendAHashCheck(password);
        return SignInResult.Failed;
    }

    /// Runs before the password is checked; a refusal here (disabled, locked out) would otherwise skip the hash.
    protected override async Task<SignInResult?> PreSignInCheck(PortalUser user)
    {
        var refused = await base.PreSignInCheck(user);
        if (refused is not null) SpendAHashCheck("");
        return refused;
    }

    private void SpendAHashCheck(string password)
    {
        // a hash of a random password, made once with the same hasher (and so the same iteration count) as real ones
        var decoy = s_decoyHash ??= UserManager.PasswordHasher.HashPassword(NoOne, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
        UserManager.PasswordHasher.VerifyHashedPassword(NoOne, decoy, password);
    }
}

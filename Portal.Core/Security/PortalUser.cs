using Microsoft.AspNetCore.Identity;

namespace Portal.Core.Security;

/// A local account. Each account holds exactly one of the four roles.
public sealed class PortalUser : IdentityUser
{
    public string Role { get; set; } = Roles.User;
    public bool IsDisabled { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime? LastSignInUtc { get; set; }
}

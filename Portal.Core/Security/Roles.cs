namespace Portal.Core.Security;

/// The four permission sets of the original integration, as roles (contract section 4).
public static class Roles
{
    public const string Administrator = "Administrator";
    public const string Manager = "Manager";
    public const string User = "User";
    public const string Auditor = "Auditor";

    public static readonly IReadOnlyList<string> All = [Administrator, Manager, User, Auditor];

    /// Returns the canonical spelling of a role name, or null when it is not one of the four.
    public static string? Normalize(string? role) =>
        All.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));
}

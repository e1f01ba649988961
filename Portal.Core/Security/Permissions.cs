namespace Portal.Core.Security;

/// Contract section 4: each permission is granted to these roles only. Not a hierarchy: an Auditor may open the
/// configuration tabs that a User may not, and may change nothing.
public static class Permissions
{
    public const string Read = "read";
    public const string RecordsWrite = "records.write";
    public const string LinksDelete = "links.delete";
    public const string RulesWrite = "rules.write";
    public const string ConfigRead = "config.read";
    public const string ConfigWrite = "config.write";
    public const string Admin = "admin";

    private static readonly Dictionary<string, HashSet<string>> s_grants = new(StringComparer.Ordinal)
    {
        [Read] = [Roles.Administrator, Roles.Manager, Roles.User, Roles.Auditor],
        [RecordsWrite] = [Roles.Administrator, Roles.Manager, Roles.User],
        [LinksDelete] = [Roles.Administrator, Roles.Manager],
        [RulesWrite] = [Roles.Administrator, Roles.Manager],
        [ConfigRead] = [Roles.Administrator, Roles.Manager, Roles.Auditor],
        [ConfigWrite] = [Roles.Administrator],
        [Admin] = [Roles.Administrator],
    };

    public static IReadOnlyCollection<string> All => s_grants.Keys;

    public static bool IsGranted(string? role, string permission) =>
        role is not null && s_grants.TryGetValue(permission, out var roles) && roles.Contains(role);

    public static bool IsGrantedToAny(IEnumerable<string> roles, string permission) =>
        roles.Any(r => IsGranted(r, permission));
}

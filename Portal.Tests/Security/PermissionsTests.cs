using Portal.Core.Security;

namespace Portal.Tests.Security;

public sealed class PermissionsTests
{
    // Contract section 4, row by row: the roles each permission is granted to.
    public static TheoryData<string, string[]> Table => new()
    {
        { Permissions.Read, [Roles.Administrator, Roles.Manager, Roles.User, Roles.Auditor] },
        { Permissions.RecordsWrite, [Roles.Administrator, Roles.Manager, Roles.User] },
        { Permissions.LinksDelete, [Roles.Administrator, Roles.Manager] },
        { Permissions.RulesWrite, [Roles.Administrator, Roles.Manager] },
        { Permissions.ConfigRead, [Roles.Administrator, Roles.Manager, Roles.Auditor] },
        { Permissions.ConfigWrite, [Roles.Administrator] },
        { Permissions.Admin, [Roles.Administrator] },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void GrantsEachPermissionToExactlyTheContractRoles(string permission, string[] granted)
    {
        foreach (var role in Roles.All)
            Assert.Equal(granted.Contains(role), Permissions.IsGranted(role, permission));
    }

    [Fact]
    public void KnowsEveryPermissionOfTheContract() =>
        Assert.Equal(Table.Select(row => (string)row[0]).Order(), Permissions.All.Order());

    [Fact]
    public void AuditorMayOpenConfigurationButUserMayNot()
    {
        Assert.True(Permissions.IsGranted(Roles.Auditor, Permissions.ConfigRead));
        Assert.False(Permissions.IsGranted(Roles.User, Permissions.ConfigRead));
        Assert.True(Permissions.IsGranted(Roles.User, Permissions.RecordsWrite));
        Assert.False(Permissions.IsGranted(Roles.Auditor, Permissions.RecordsWrite));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Owner")]
    public void GrantsNothingToAnUnknownRole(string? role)
    {
        foreach (var permission in Permissions.All) Assert.False(Permissions.IsGranted(role, permission));
    }

    [Theory]
    [InlineData("administrator", "Administrator")]
    [InlineData(" AUDITOR ", "Auditor")]
    [InlineData("root", null)]
    public void NormalizesRoleNames(string input, string? expected) => Assert.Equal(expected, Roles.Normalize(input));
}

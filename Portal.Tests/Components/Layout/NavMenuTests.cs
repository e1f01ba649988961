using Bunit;
using Portal.Components.Layout;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Layout;

public sealed class NavMenuTests : PortalComponentTest
{
    [Theory]
    [InlineData("Administrator", true)]
    [InlineData("Manager", false)]
    [InlineData("User", false)]
    [InlineData("Auditor", false)]
    public void ShowsAdministrationOnlyToAdministrators(string role, bool shown)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("someone@portal.test");
        auth.SetRoles(role);

        var cut = Render<NavMenu>();

        Assert.Contains("Home", cut.Markup);
        Assert.Equal(shown, cut.FindAll("a[href='/admin']").Count == 1);
    }

    [Fact]
    public void ShowsNothingToAnonymousVisitors()
    {
        AddAuthorization();
        var cut = Render<NavMenu>();
        Assert.Empty(cut.FindAll("a"));
    }
}

using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Layout;
using Portal.Core.Records;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Layout;

public sealed class NavMenuTests : DatabaseComponentTest
{
    private IRenderedComponent<NavMenu> RenderAs(string role)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("someone@portal.test");
        auth.SetRoles(role);
        return Render<NavMenu>();
    }

    [Theory]
    [InlineData("Administrator", true, true)]
    [InlineData("Manager", false, true)]
    [InlineData("User", false, false)]
    [InlineData("Auditor", false, true)]
    public void ShowsEachRoleOnlyWhatItMayOpen(string role, bool administration, bool configuration)
    {
        var cut = RenderAs(role);
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("a[href='/records/Case']")));
        Assert.Single(cut.FindAll("a[href='/records/Incident']"));
        Assert.Single(cut.FindAll("a[href='/status-dashboard']"));
        Assert.Equal(administration, cut.FindAll("a[href='/admin']").Count == 1);
        Assert.Equal(configuration, cut.FindAll("a[href='/config/object-mappings']").Count == 1);
    }

    [Fact]
    public async Task ListsANewObjectTypeAsSoonAsItIsDefined()
    {
        var cut = RenderAs("User");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("a[href='/records/Case']")));
        await Database.Get<ObjectCatalog>().DefineAsync(new ObjectTypeDto("Opportunity", "Deals", true, []));
        cut.WaitForAssertion(() => Assert.Contains("Deals", cut.Find("a[href='/records/Opportunity']").TextContent));
    }

    [Fact]
    public void ShowsNothingToAnonymousVisitors()
    {
        AddAuthorization();
        var cut = Render<NavMenu>();
        Assert.Empty(cut.FindAll("a"));
    }
}

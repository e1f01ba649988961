using Portal.Core;
using Portal.Core.Records;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Records;

public sealed class ObjectCatalogTests : IAsyncLifetime
{
    private TestDatabase _db = default!;
    private ObjectCatalog Catalog => _db.Get<ObjectCatalog>();

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task HoldsTheBuiltInCaseAndIncidentOfTheContract()
    {
        var snapshot = await Catalog.GetAsync();
        var caseType = snapshot.Get("Case");
        Assert.True(caseType.RunRules);
        Assert.Equal(["CaseNumber", "Subject", "Description", "Status", "Priority", "Origin", "Type", "Reason", "ContactEmail"],
            caseType.Fields.Select(f => f.Name));
        Assert.All(caseType.Fields, f => Assert.Equal("text", f.TypeName));
        Assert.Equal(["IncidentNumber", "Subject", "Description", "Status", "Priority", "Impact", "Urgency", "Category"],
            snapshot.Get("Incident").Fields.Select(f => f.Name));
    }

    [Fact]
    public async Task DefinesACustomObjectTypeAndAddsFields()
    {
        await Catalog.DefineAsync(new ObjectTypeDto("Opportunity", "Deal", false, [new FieldDto("Amount", null, "number")]));
        await Catalog.AddFieldAsync("Opportunity", new FieldDto("Region", "Region", "picklist", ["EMEA", "AMER"]));
        await Catalog.AddFieldAsync("Case", new FieldDto("Tier", null, "text"));

        var snapshot = await Catalog.GetAsync();
        var opportunity = snapshot.Get("Opportunity");
        Assert.Equal("Deal", opportunity.Label);
        Assert.False(opportunity.RunRules);
        Assert.Equal(["Amount", "Region"], opportunity.Fields.Select(f => f.Name));
        Assert.Equal(["EMEA", "AMER"], opportunity.Field("Region")!.Values);
        Assert.Equal("Tier", snapshot.Get("Case").Fields[^1].Name);
    }

    [Theory]
    [InlineData("1Bad", "text", null, "name", "'1Bad' is not a valid name")]
    [InlineData("Has Space", "text", null, "name", "'Has Space' is not a valid name")]
    [InlineData("Ok", "currency", null, "type", "Field 'Ok' has type 'currency'")]
    [InlineData("Ok", "picklist", null, "values", "Picklist field 'Ok' needs at least one value.")]
    [InlineData("Ok", "text", "A", "values", "only picklist fields take values")]
    public async Task RefusesBadFieldDefinitions(string name, string type, string? value, string key, string message)
    {
        var error = await Assert.ThrowsAsync<PortalValidationException>(() =>
            Catalog.AddFieldAsync("Case", new FieldDto(name, null, type, value is null ? null : [value])));
        Assert.Contains(message, error.Errors[key].Single());
        Assert.DoesNotContain((await Catalog.GetAsync()).Get("Case").Fields, f => f.Name == name);
    }

    [Fact]
    public async Task RefusesADuplicateObjectOrField()
    {
        var duplicateObject = await Assert.ThrowsAsync<PortalValidationException>(() => Catalog.DefineAsync(new ObjectTypeDto("case", null, null, [])));
        Assert.Contains("already exists", duplicateObject.Message);
        var duplicateField = await Assert.ThrowsAsync<PortalValidationException>(() => Catalog.AddFieldAsync("Case", new FieldDto("subject", null, "text")));
        Assert.Contains("already has a field named 'subject'", duplicateField.Message);
    }

    [Fact]
    public async Task SwitchesRunRulesPerObject()
    {
        await Catalog.SetRunRulesAsync("Incident", false);
        Assert.False((await Catalog.GetAsync()).Get("Incident").RunRules);
        await Assert.ThrowsAsync<PortalNotFoundException>(() => Catalog.SetRunRulesAsync("Nope", true));
    }
}

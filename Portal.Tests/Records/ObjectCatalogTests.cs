using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.Links;
using Portal.Core.Logging;
using Portal.Core.Notifications;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Records;

public class ObjectCatalogTests : OnEitherDatabase, IAsyncLifetime
{
    private TestDatabase _db = default!;
    private ObjectCatalog Catalog => _db.Get<ObjectCatalog>();

    public async Task InitializeAsync() => _db = await TestDatabase.WithRulesAsync(postgres: await PostgresAsync());
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

    private Task<RecordDto> CreateAsync(string objectName, string fieldsJson) =>
        _db.Get<RecordStore>().CreateAsync(objectName, JsonDocument.Parse(fieldsJson).RootElement, new ChangeActor("test"));

    private async Task<List<string>> AuditAsync() =>
        [.. (await _db.Get<IntegrationLog>().QueryAsync(new LogQuery(Category: LogCategories.Config, OldestFirst: true))).Entries.Select(e => e.Message)];

    private Task SaveRulesAsync(string objectName, string field) => _db.Get<RulesetStore>().SaveAsync($$"""
        {"schemaVersion":1,"rulesets":[{"name":"Sales","enabled":false,"rules":[{"name":"Big deals","object":"{{objectName}}",
          "runOn":"recordCreateOrUpdate","when":"all","conditions":[{"field":"{{field}}","operator":"isNotBlank"}],"executeFor":"newOnly","actions":[]}]}]}
        """, "test");

    [Fact]
    public async Task RelabelsAnObjectTypeAndAFieldBuiltInOrNotAndAnnouncesIt()
    {
        var announced = 0;
        using var subscription = _db.Get<ChangeNotifier>().Subscribe<ObjectCatalogChanged>(_ => Interlocked.Increment(ref announced));

        await Catalog.UpdateAsync("Case", new ObjectTypeChange(Label: "Support case"), "ada");
        await Catalog.UpdateFieldAsync("Case", "Subject", new FieldChange(Label: "Summary"), "ada");
        await Catalog.UpdateFieldAsync("Case", "Subject", new FieldChange(Label: "Summary"), "ada"); // no change, no entry

        var snapshot = await Catalog.GetAsync();
        Assert.Equal("Support case", snapshot.Get("Case").Label);
        Assert.Equal("Summary", snapshot.Get("Case").Field("Subject")!.Label);
        Assert.Equal("text", snapshot.Get("Case").Field("Subject")!.TypeName);
        Assert.Equal(2, announced);
        Assert.Equal(["Object type Case relabelled 'Support case' by ada", "Field Case.Subject changed by ada: label 'Subject' → 'Summary'"], await AuditAsync());
        var tooLong = await Assert.ThrowsAsync<PortalValidationException>(() => Catalog.UpdateAsync("Case", new ObjectTypeChange(Label: new string('x', 101))));
        Assert.Contains("longer than 100", tooLong.Errors["label"].Single());
        await Assert.ThrowsAsync<PortalNotFoundException>(() => Catalog.UpdateFieldAsync("Case", "Nope", new FieldChange(Label: "x")));
    }

    [Fact]
    public async Task TurnsATextFieldIntoAPicklistWhenEveryStoredValueIsOnTheList()
    {
        await CreateAsync("Case", """{"Priority":"High"}""");
        await CreateAsync("Case", """{"Subject":"no priority"}""");

        var field = await Catalog.UpdateFieldAsync("Case", "Priority", new FieldChange(Type: "picklist", Values: ["High", " Low "]), "ada");

        Assert.Equal(["High", "Low"], field.Values);
        Assert.Equal("picklist", (await Catalog.GetAsync()).Get("Case").Field("Priority")!.TypeName);
        var refused = await Assert.ThrowsAsync<PortalValidationException>(() => CreateAsync("Case", """{"Priority":"Medium"}"""));
        Assert.Contains("takes one of High, Low", refused.Errors["fields.Priority"].Single());
        Assert.Contains("Field Case.Priority changed by ada: type text → picklist; values High, Low", await AuditAsync());
    }

    [Fact]
    public async Task RefusesAPicklistThatLeavesOutStoredValuesNamingTheRecordsAndValues()
    {
        await Catalog.AddFieldAsync("Case", new FieldDto("Tier", null, "text"));
        var gold = await CreateAsync("Case", """{"Tier":"Gold"}""");
        var silver = await CreateAsync("Case", """{"Tier":"silver"}""");
        await CreateAsync("Case", """{"Tier":"Bronze"}""");

        var refused = await Assert.ThrowsAsync<PortalConflictException>(() =>
            Catalog.UpdateFieldAsync("Case", "Tier", new FieldChange(Type: "picklist", Values: ["Silver", "Bronze"])));

        Assert.Equal("values", refused.Field);
        Assert.Contains($"Case {gold.Fields["CaseNumber"]} holds 'Gold'", refused.Message);
        Assert.Contains($"Case {silver.Fields["CaseNumber"]} holds 'silver' (the list has 'Silver')", refused.Message);
        Assert.DoesNotContain("Bronze'", refused.Message.Split(':')[1]);
        Assert.Equal("text", (await Catalog.GetAsync()).Get("Case").Field("Tier")!.TypeName);

        await Catalog.UpdateFieldAsync("Case", "Tier", new FieldChange(Type: "picklist", Values: ["Gold", "silver", "Bronze"]));
        var dropped = await Assert.ThrowsAsync<PortalConflictException>(() => Catalog.UpdateFieldAsync("Case", "Tier", new FieldChange(Values: ["Gold", "silver"])));
        Assert.Contains("holds 'Bronze'", dropped.Message);
        Assert.Equal(["Gold", "silver", "Bronze"], (await Catalog.GetAsync()).Get("Case").Field("Tier")!.Values);
    }

    [Theory]
    [InlineData("Case", "Subject", "number", null, "type", "only a text field can become a picklist")]
    [InlineData("Case", "CaseNumber", "picklist", "A", "type", "numbered automatically")]
    [InlineData("Case", "Subject", "picklist", null, "values", "needs at least one value")]
    [InlineData("Case", "Subject", "text", "A", "values", "only picklist fields take values")]
    [InlineData("Case", "Subject", "currency", null, "type", "has type 'currency'")]
    public async Task RefusesAFieldChangeItCannotMakeNamingTheProblem(string objectName, string field, string type, string? value, string key, string message)
    {
        var error = await Assert.ThrowsAsync<PortalValidationException>(() =>
            Catalog.UpdateFieldAsync(objectName, field, new FieldChange(Type: type, Values: value is null ? null : [value])));
        Assert.Contains(message, error.Errors[key].Single());
        Assert.Equal("text", (await Catalog.GetAsync()).Get(objectName).Field(field)!.TypeName);
    }

    [Fact]
    public async Task RemovesACustomFieldNoRecordHoldsAndRefusesOneInUse()
    {
        await Catalog.AddFieldAsync("Case", new FieldDto("Tier", null, "text"));
        await Catalog.AddFieldAsync("Case", new FieldDto("Unused", null, "text"));
        var held = await CreateAsync("Case", """{"Tier":"Gold"}""");

        var refused = await Assert.ThrowsAsync<PortalConflictException>(() => Catalog.RemoveFieldAsync("Case", "Tier"));
        Assert.Equal($"Field Case.Tier cannot be removed: 1 record holds a value for it (Case {held.Fields["CaseNumber"]}). Clear the field on those records first.",
            refused.Message);

        await Catalog.RemoveFieldAsync("Case", "Unused", "ada");
        var type = (await Catalog.GetAsync()).Get("Case");
        Assert.Null(type.Field("Unused"));
        Assert.NotNull(type.Field("Tier"));
        Assert.Contains("Field Case.Unused removed by ada", await AuditAsync());

        // a field added afterwards comes last, after the gap
        await Catalog.AddFieldAsync("Case", new FieldDto("Later", null, "text"));
        Assert.Equal(["Tier", "Later"], (await Catalog.GetAsync()).Get("Case").Fields.TakeLast(2).Select(f => f.Name));
    }

    [Fact]
    public async Task RefusesToRemoveAFieldARuleUsesNamingTheRule()
    {
        await Catalog.AddFieldAsync("Case", new FieldDto("Tier", null, "text"));
        await SaveRulesAsync("Case", "Tier");

        var refused = await Assert.ThrowsAsync<PortalConflictException>(() => Catalog.RemoveFieldAsync("Case", "Tier"));
        Assert.Contains("the saved rules use it", refused.Message);
        Assert.Contains("Ruleset 'Sales', rule 'Big deals'", refused.Message);
        Assert.NotNull((await Catalog.GetAsync()).Get("Case").Field("Tier"));
    }

    [Fact]
    public async Task BuiltInObjectTypesAndFieldsCannotBeRemoved()
    {
        var type = await Assert.ThrowsAsync<PortalConflictException>(() => Catalog.RemoveAsync("Case"));
        Assert.Equal("Object type Case is built in: it cannot be removed.", type.Message);
        var field = await Assert.ThrowsAsync<PortalConflictException>(() => Catalog.RemoveFieldAsync("Incident", "Urgency"));
        Assert.Equal("Field Incident.Urgency is built in: it cannot be removed, only relabelled.", field.Message);
        await Assert.ThrowsAsync<PortalNotFoundException>(() => Catalog.RemoveAsync("Nope"));
        await Assert.ThrowsAsync<PortalNotFoundException>(() => Catalog.RemoveFieldAsync("Case", "Nope"));
        Assert.NotNull((await Catalog.GetAsync()).Get("Incident").Field("Urgency"));
        Assert.Empty(await AuditAsync());
    }

    [Fact]
    public async Task RemovesAnUnusedObjectTypeAndRefusesOneWithRecordsLinksOrRules()
    {
        await Catalog.DefineAsync(new ObjectTypeDto("Opportunity", null, true, [new FieldDto("Amount", null, "number")]));
        await Catalog.DefineAsync(new ObjectTypeDto("Lead", null, true, []));
        await Catalog.DefineAsync(new ObjectTypeDto("Outage", null, true, []));
        await Catalog.DefineAsync(new ObjectTypeDto("Unused", null, true, [new FieldDto("Note", null, "text")]));
        await CreateAsync("Opportunity", """{"Amount":5}""");
        await SaveRulesAsync("Lead", "pd.urgency");
        // a link names its record's object type; one left naming Outage (its record since moved on) still counts
        var linked = await CreateAsync("Case", """{"Subject":"linked"}""");
        await using (var db = await _db.ContextAsync())
        {
            db.IncidentLinks.Add(new IncidentLinkEntity { RecordId = linked.Id, ObjectName = "Outage", IncidentId = "PGONE" });
            await db.SaveChangesAsync();
        }

        Assert.Equal("Object type Opportunity cannot be removed: it has 1 record.",
            (await Assert.ThrowsAsync<PortalConflictException>(() => Catalog.RemoveAsync("Opportunity"))).Message);
        Assert.Contains("Ruleset 'Sales', rule 'Big deals': unknown object 'Lead'",
            (await Assert.ThrowsAsync<PortalConflictException>(() => Catalog.RemoveAsync("Lead"))).Message);
        Assert.Equal("Object type Outage cannot be removed: 1 incident link still name it.",
            (await Assert.ThrowsAsync<PortalConflictException>(() => Catalog.RemoveAsync("Outage"))).Message);

        await Catalog.RemoveAsync("Unused", "ada");
        var snapshot = await Catalog.GetAsync();
        Assert.Null(snapshot.Find("Unused"));
        Assert.NotNull(snapshot.Find("Opportunity"));
        Assert.NotNull(snapshot.Find("Lead"));
        await using (var db = await _db.ContextAsync())
            Assert.False(await db.ObjectFields.AnyAsync(f => f.ObjectName == "Unused"));
        Assert.Contains("Object type Unused removed by ada", await AuditAsync());
        // the name is free again
        await Catalog.DefineAsync(new ObjectTypeDto("Unused", null, true, []));
    }
}

/// The same object type changes, their checks and refusals on PostgreSQL.
[Collection(PostgresCollection.Name)]
public sealed class ObjectCatalogOnPostgresTests(PostgresCluster cluster) : ObjectCatalogTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}

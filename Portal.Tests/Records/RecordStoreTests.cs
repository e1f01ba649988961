using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Records;

public class RecordStoreTests : OnEitherDatabase, IAsyncLifetime
{
    private readonly CapturingHandler _handler = new();
    private TestDatabase _db = default!;
    private static readonly ChangeActor Agent = new("agent@portal.test");

    private RecordStore Store => _db.Get<RecordStore>();

    public async Task InitializeAsync() =>
        _db = await TestDatabase.CreateAsync(s => s.AddSingleton<IRecordChangeHandler>(_handler), await PostgresAsync());

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    private async Task DefineOpportunityAsync() => await _db.Get<ObjectCatalog>().DefineAsync(new ObjectTypeDto("Opportunity", null, true,
    [
        new FieldDto("Name", null, "text"),
        new FieldDto("StageName", "Stage", "picklist", ["Prospecting", "Closed Won"]),
        new FieldDto("Amount", null, "number"),
        new FieldDto("IsKey", null, "boolean"),
        new FieldDto("CloseDate", null, "dateTime"),
    ]));

    [Fact]
    public async Task NumbersNewCasesAutomatically()
    {
        var first = await Store.CreateAsync("Case", Json("""{"Subject":"One"}"""), Agent);
        var second = await Store.CreateAsync("Case", Json("""{"Subject":"Two"}"""), Agent);
        Assert.Equal("00000001", first.Fields["CaseNumber"]!.GetValue<string>());
        Assert.Equal("00000002", second.Fields["CaseNumber"]!.GetValue<string>());
        var incident = await Store.CreateAsync("Incident", Json("""{"Subject":"Other sequence"}"""), Agent);
        Assert.Equal("00000001", incident.Fields["IncidentNumber"]!.GetValue<string>());
    }

    [Fact]
    public async Task KeepsACaseNumberThatIsGiven()
    {
        var created = await Store.CreateAsync("Case", Json("""{"CaseNumber":"SF-77","Subject":"Imported"}"""), Agent);
        Assert.Equal("SF-77", created.Fields["CaseNumber"]!.GetValue<string>());
    }

    [Fact]
    public async Task GivesEveryConcurrentCreateItsOwnNumber()
    {
        var creates = Enumerable.Range(0, 20).Select(i => Task.Run(() => Store.CreateAsync("Case", Json($$"""{"Subject":"Parallel {{i}}"}"""), Agent)));
        var created = await Task.WhenAll(creates);
        var numbers = created.Select(r => r.Fields["CaseNumber"]!.GetValue<string>()).ToList();
        Assert.Equal(20, numbers.Distinct().Count());
        Assert.Equal("00000020", numbers.Max());
    }

    [Fact]
    public async Task RefusesAnUnknownFieldAndWritesNothing()
    {
        var error = await Assert.ThrowsAsync<PortalValidationException>(() =>
            Store.CreateAsync("Case", Json("""{"Subject":"ok","Priorty":"High"}"""), Agent));
        Assert.Equal("fields.Priorty", error.Field);
        Assert.Equal("Field 'Priorty' is not defined on object 'Case'.", error.Errors["fields.Priorty"].Single());
        Assert.Equal(0, (await Store.ListAsync("Case", new RecordQuery())).Total);
        Assert.Empty(_handler.Changes);
    }

    [Theory]
    [InlineData("""{"Name":5}""", "fields.Name", "Field 'Name' is text; got the number 5.")]
    [InlineData("""{"Amount":"12"}""", "fields.Amount", "Field 'Amount' is a number; got the text \"12\".")]
    [InlineData("""{"IsKey":"yes"}""", "fields.IsKey", "Field 'IsKey' is a boolean (true or false); got the text \"yes\".")]
    [InlineData("""{"CloseDate":"next week"}""", "fields.CloseDate", "Field 'CloseDate' is a dateTime; 'next week' is not an ISO 8601 date and time.")]
    [InlineData("""{"StageName":"Lost"}""", "fields.StageName", "Field 'StageName' takes one of Prospecting, Closed Won; got 'Lost'.")]
    [InlineData("""{"StageName":["Prospecting"]}""", "fields.StageName", "Field 'StageName' is a picklist (one of its values, as a string); got an array.")]
    public async Task RefusesAValueOfTheWrongTypeNamingTheField(string fields, string key, string message)
    {
        await DefineOpportunityAsync();
        var error = await Assert.ThrowsAsync<PortalValidationException>(() => Store.CreateAsync("Opportunity", Json(fields), Agent));
        Assert.Equal(message, error.Errors[key].Single());
    }

    [Fact]
    public async Task StoresEachTypeInItsCanonicalForm()
    {
        await DefineOpportunityAsync();
        var created = await Store.CreateAsync("Opportunity",
            Json("""{"Name":"Big deal","StageName":"closed won","Amount":1250.50,"IsKey":true,"CloseDate":"2026-05-01T12:00:00+02:00"}"""), Agent);
        Assert.Equal("Closed Won", created.Fields["StageName"]!.GetValue<string>());
        Assert.Equal(1250.50m, created.Fields["Amount"]!.GetValue<decimal>());
        Assert.True(created.Fields["IsKey"]!.GetValue<bool>());
        Assert.Equal("2026-05-01T10:00:00Z", created.Fields["CloseDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task ChangesOnlyTheGivenFieldsAndClearsNulls()
    {
        var created = await Store.CreateAsync("Case", Json("""{"Subject":"Down","Priority":"High","Status":"New"}"""), Agent);
        _db.Clock.Advance(TimeSpan.FromMinutes(5));
        var updated = await Store.UpdateAsync("Case", created.Id, Json("""{"Status":"Working","Priority":null}"""), Agent);

        Assert.Equal("Down", updated.Fields["Subject"]!.GetValue<string>());
        Assert.Equal("Working", updated.Fields["Status"]!.GetValue<string>());
        Assert.False(updated.Fields.ContainsKey("Priority"));
        Assert.Equal(created.CreatedUtc, updated.CreatedUtc);
        Assert.Equal(created.UpdatedUtc.AddMinutes(5), updated.UpdatedUtc);
        Assert.Equal(DateTimeKind.Utc, (await Store.GetAsync("Case", created.Id)).UpdatedUtc.Kind);
    }

    [Fact]
    public async Task HandsOneChangeEventWithOldAndNewValues()
    {
        var created = await Store.CreateAsync("Case", Json("""{"Subject":"Down","Priority":"Low"}"""), Agent);
        await Store.UpdateAsync("Case", created.Id, Json("""{"Priority":"High"}"""), new ChangeActor("rule", FromRule: true, ["r1"]));

        Assert.Equal(2, _handler.Changes.Count);
        var insert = _handler.Changes[0];
        Assert.True(insert.IsInsert);
        Assert.Empty(insert.Old);
        Assert.Equal("Low", insert.New["Priority"]!.GetValue<string>());

        var change = _handler.Changes[1];
        Assert.False(change.IsInsert);
        Assert.Equal(created.Id, change.RecordId);
        Assert.Equal("Case", change.Object);
        Assert.Equal("Low", change.Old["Priority"]!.GetValue<string>());
        Assert.Equal("High", change.New["Priority"]!.GetValue<string>());
        Assert.Equal(["Priority"], change.ChangedFields);
        Assert.True(change.Actor.FromRule);
        Assert.Equal(["r1"], change.Actor.RuleChain);
    }

    [Fact]
    public async Task HandsNoEventForAChangeThatChangesNothing()
    {
        var created = await Store.CreateAsync("Case", Json("""{"Subject":"Same"}"""), Agent);
        await Store.UpdateAsync("Case", created.Id, Json("""{"Subject":"Same"}"""), Agent);
        Assert.Single(_handler.Changes);
    }

    [Fact]
    public async Task WritesNothingWhenAHandlerFails()
    {
        _handler.FailNext = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.CreateAsync("Case", Json("""{"Subject":"Doomed"}"""), Agent));
        Assert.Equal(0, (await Store.ListAsync("Case", new RecordQuery())).Total);
        var next = await Store.CreateAsync("Case", Json("""{"Subject":"Fine"}"""), Agent);
        Assert.Equal("00000001", next.Fields["CaseNumber"]!.GetValue<string>());
    }

    [Fact]
    public async Task ListsNewestFirstWithPagingSearchAndSort()
    {
        await DefineOpportunityAsync();
        foreach (var (name, amount) in new[] { ("Alpha", 30), ("Beta", 10), ("Gamma", 20), ("Delta", 5) })
        {
            await Store.CreateAsync("Opportunity", Json($$"""{"Name":"{{name}}","Amount":{{amount}}}"""), Agent);
            _db.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        var page = await Store.ListAsync("Opportunity", new RecordQuery(Limit: 2, Offset: 1));
        Assert.Equal(4, page.Total);
        Assert.Equal(["Gamma", "Beta"], page.Records.Select(r => r.Fields["Name"]!.GetValue<string>()));

        var found = await Store.ListAsync("Opportunity", new RecordQuery(Search: "ALP"));
        Assert.Equal("Alpha", Assert.Single(found.Records).Fields["Name"]!.GetValue<string>());

        var byAmount = await Store.ListAsync("Opportunity", new RecordQuery(SortBy: "Amount", Descending: false));
        Assert.Equal(["Delta", "Beta", "Gamma", "Alpha"], byAmount.Records.Select(r => r.Fields["Name"]!.GetValue<string>()));
        var byName = await Store.ListAsync("Opportunity", new RecordQuery(SortBy: "Name", Descending: true));
        Assert.Equal(["Gamma", "Delta", "Beta", "Alpha"], byName.Records.Select(r => r.Fields["Name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task RefusesSortingByAnUnknownField()
    {
        var error = await Assert.ThrowsAsync<PortalValidationException>(() => Store.ListAsync("Case", new RecordQuery(SortBy: "Nope")));
        Assert.Equal("sort", error.Field);
    }

    [Fact]
    public async Task AddsAndListsComments()
    {
        var created = await Store.CreateAsync("Case", Json("""{"Subject":"Talk"}"""), Agent);
        await Store.AddCommentAsync("Case", created.Id, "First", Agent);
        _db.Clock.Advance(TimeSpan.FromSeconds(1));
        await Store.AddCommentAsync("Case", created.Id, "Second", Agent);
        var comments = await Store.ListCommentsAsync("Case", created.Id);
        Assert.Equal(["Second", "First"], comments.Select(c => c.Body));
        Assert.All(comments, c => Assert.Equal("agent@portal.test", c.Author));

        await Assert.ThrowsAsync<PortalValidationException>(() => Store.AddCommentAsync("Case", created.Id, "   ", Agent));
        await Assert.ThrowsAsync<PortalNotFoundException>(() => Store.AddCommentAsync("Case", "missing", "Hello", Agent));
    }

    [Fact]
    public async Task AnswersNotFoundForAnUnknownObjectOrRecord()
    {
        await Assert.ThrowsAsync<PortalNotFoundException>(() => Store.GetAsync("Nope", "x"));
        await Assert.ThrowsAsync<PortalNotFoundException>(() => Store.GetAsync("Case", "x"));
        await Assert.ThrowsAsync<PortalNotFoundException>(() => Store.UpdateAsync("Case", "x", Json("""{"Subject":"a"}"""), Agent));
    }

    [Fact]
    public async Task OneSubmissionSentSeveralTimesAtOnceMakesOneRecordAndRunsItsRulesOnce()
    {
        var sends = Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            Store.CreateOnceAsync("Case", Json("""{"Subject":"Double click","Priority":"High"}"""), "form-1", Agent)));
        var answers = await Task.WhenAll(sends);

        Assert.Single(answers.Select(a => a.Record.Id).Distinct());
        Assert.Single(answers, a => !a.Replayed);
        Assert.Equal(1, (await Store.ListAsync("Case", new RecordQuery())).Total);
        // the rules (a handler like this one) saw one change: one paging rule, one incident
        Assert.Single(_handler.Changes);
        Assert.Equal(answers[0].Record.Id, (await Store.SubmittedAsync("form-1"))!.Id);
    }

    [Fact]
    public async Task ASubmissionSentAgainLaterAnswersItsRecordAsItIsNow()
    {
        var (first, replayedFirst) = await Store.CreateOnceAsync("Case", Json("""{"Subject":"Once"}"""), "form-2", Agent);
        await Store.UpdateAsync("Case", first.Id, Json("""{"Status":"Working"}"""), Agent);
        var (again, replayed) = await Store.CreateOnceAsync("Case", Json("""{"Subject":"Once"}"""), "form-2", Agent);

        Assert.False(replayedFirst);
        Assert.True(replayed);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal("Working", again.Fields["Status"]!.GetValue<string>());
        Assert.Equal(2, _handler.Changes.Count); // the create and the update, nothing for the second send
    }

    [Fact]
    public async Task RefusesASubmissionKeySentAgainWithOtherValuesOrByAnotherCaller()
    {
        await Store.CreateOnceAsync("Case", Json("""{"Subject":"First"}"""), "key-3", Agent);

        var otherValues = await Assert.ThrowsAsync<PortalValidationException>(() =>
            Store.CreateOnceAsync("Case", Json("""{"Subject":"Second"}"""), "key-3", Agent));
        Assert.Equal("Idempotency-Key", otherValues.Field);
        Assert.Equal("'Idempotency-Key' 'key-3' was already used to create Case 00000001 from other values; send a new key for another record.",
            otherValues.Message);
        await Assert.ThrowsAsync<PortalValidationException>(() =>
            Store.CreateOnceAsync("Case", Json("""{"Subject":"First"}"""), "key-3", new ChangeActor("someone-else@portal.test")));
        Assert.Equal(1, (await Store.ListAsync("Case", new RecordQuery())).Total);
    }

    [Theory]
    [InlineData("", "'Idempotency-Key' is empty; send 1 to 200 printable ASCII characters, new for each create.")]
    [InlineData("   ", "'Idempotency-Key' is empty; send 1 to 200 printable ASCII characters, new for each create.")]
    [InlineData("tab\there", "'Idempotency-Key' holds a character that is not printable ASCII; use letters, digits and punctuation.")]
    public async Task RefusesAnUnusableSubmissionKeyAndWritesNothing(string key, string message)
    {
        var error = await Assert.ThrowsAsync<PortalValidationException>(() =>
            Store.CreateOnceAsync("Case", Json("""{"Subject":"Keyed"}"""), key, Agent));
        Assert.Equal(message, error.Errors["Idempotency-Key"].Single());
        var tooLong = await Assert.ThrowsAsync<PortalValidationException>(() =>
            Store.CreateOnceAsync("Case", Json("""{"Subject":"Keyed"}"""), new string('k', 201), Agent));
        Assert.Equal("'Idempotency-Key' is 201 characters long; it takes at most 200.", tooLong.Message);
        Assert.Equal(0, (await Store.ListAsync("Case", new RecordQuery())).Total);
    }

    private sealed class CapturingHandler : IRecordChangeHandler
    {
        public List<RecordChange> Changes { get; } = [];
        public bool FailNext { get; set; }

        public Task OnRecordChangedAsync(RecordChange change, PortalDbContext db, CancellationToken cancellationToken)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("handler failed");
            }
            lock (Changes) Changes.Add(change);
            return Task.CompletedTask;
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class RecordStoreOnPostgresTests(PostgresCluster cluster) : RecordStoreTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core;
using Portal.Core.Dispatch;
using Portal.Core.Links;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;

namespace Portal.Tests.Dispatch;

/// The Command Console's view of a linked incident (assignees, age, timeline) and linking by number, through the
/// sandbox and through the strict fake PagerDuty.
public abstract class ConsoleTimelineTestsBase : IAsyncLifetime
{
    protected TestDatabase Db { get; private set; } = default!;
    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public virtual async Task InitializeAsync() => Db = await CreateDatabaseAsync();
    public virtual async Task DisposeAsync() => await Db.DisposeAsync();

    protected async Task<(RecordDto Record, IncidentLinkDto Link)> CreateAndLinkAsync(string serviceId)
    {
        var record = await Db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Refunds stuck"}""").RootElement, new ChangeActor("agent"));
        var console = Db.Get<ConsoleActions>();
        await console.CreateIncidentAsync("Case", record.Id, "Refunds stuck", serviceId, "high", null, null, null, null, "agent");
        await Db.Get<ActionDispatcher>().RunDueAsync();
        await console.ActAsync("Case", record.Id, (await Links(record.Id)).Single().IncidentId, RuleActionTypes.AcknowledgeIncident, [], "agent");
        await Db.Get<ActionDispatcher>().RunDueAsync();
        await console.ActAsync("Case", record.Id, (await Links(record.Id)).Single().IncidentId, RuleActionTypes.AddNote,
            new JsonObject { ["content"] = "Customer says refunds from Monday are missing" }, "agent");
        await Db.Get<ActionDispatcher>().RunDueAsync();
        return (record, Assert.Single(await Links(record.Id)));
    }

    protected Task<IReadOnlyList<IncidentLinkDto>> Links(string recordId) => Db.Get<IncidentLinks>().ForRecordAsync(recordId);

    protected static void AssertTimeline(IReadOnlyList<TimelineItem> timeline)
    {
        Assert.Equal(timeline.OrderByDescending(i => i.TimeUtc), timeline); // newest first
        Assert.Contains(timeline, i => i.Kind == TimelineItem.Note && i.Text == "Customer says refunds from Monday are missing");
        Assert.Contains(timeline, i => i.Kind == TimelineItem.Log && i.Text.StartsWith("Acknowledged by", StringComparison.Ordinal));
        Assert.Contains(timeline, i => i.Kind == TimelineItem.Log && i.Text.StartsWith("Triggered", StringComparison.Ordinal));
        Assert.DoesNotContain(timeline, i => i.Text.StartsWith("Note added", StringComparison.Ordinal)); // the note shows once, as itself
    }
}

public sealed class SandboxConsoleTimelineTests : ConsoleTimelineTestsBase
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.WithPagerDutyAsync();

    [Fact]
    public async Task TheLinkKnowsAssigneesAndAgeAndTheTimelineHasTheNoteAndTheChanges()
    {
        var (_, link) = await CreateAndLinkAsync("PNE3JZM");
        Assert.NotEmpty(link.Assignees);
        Assert.Equal(Db.Clock.GetUtcNow().UtcDateTime, link.CreatedUtc);
        AssertTimeline(await Db.Get<IncidentTimeline>().GetAsync(link.IncidentId));
    }

    [Fact]
    public async Task LinksAnExistingIncidentByItsNumber()
    {
        var (_, link) = await CreateAndLinkAsync("PNE3JZM");
        var other = await Db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Same outage"}""").RootElement, new ChangeActor("agent"));

        var linked = await Db.Get<ConsoleActions>().LinkExistingAsync("Case", other.Id, link.Number!.Value.ToString(), "agent");
        Assert.Equal(link.IncidentId, linked.IncidentId);
        var refused = await Assert.ThrowsAsync<PortalValidationException>(() => Db.Get<ConsoleActions>().LinkExistingAsync("Case", other.Id, "999", "agent"));
        Assert.Contains("PagerDuty has no incident 999", refused.Message);
    }
}

public sealed class LiveConsoleTimelineTests : ConsoleTimelineTestsBase
{
    private FakePagerDutyServer _pagerDuty = default!;

    protected override async Task<TestDatabase> CreateDatabaseAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        return await TestDatabase.WithPagerDutyAsync(new Dictionary<string, string?>
        {
            ["PagerDuty:ApiKey"] = FakePagerDutyServer.DefaultApiKey,
            ["PagerDuty:BaseUrl"] = _pagerDuty.BaseUrl.ToString(),
            ["PagerDuty:FromEmail"] = FakePagerDutyServer.IntegrationEmail,
        });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _pagerDuty.DisposeAsync();
    }

    [Fact]
    public async Task ReadsNotesAndTheLogEntryOverviewTheWayPagerDutyDocumentsThem()
    {
        var (_, link) = await CreateAndLinkAsync("PWIXJZS");
        Assert.NotEmpty(link.Assignees);
        Assert.NotNull(link.CreatedUtc);

        AssertTimeline(await Db.Get<IncidentTimeline>().GetAsync(link.IncidentId));
        var read = _pagerDuty.Requests.Single(r => r.Path == $"/incidents/{link.IncidentId}/log_entries");
        Assert.Equal("GET", read.Method);
        Assert.Contains("is_overview=true", read.Query);
        Assert.Equal(FakePagerDutyServer.AcceptHeader, read.Header("Accept"));
    }

    [Fact]
    public async Task AssignsTheIncidentToTheChosenPersonInsteadOfAnEscalationPolicy()
    {
        var record = await Db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"VIP cannot log in"}""").RootElement, new ChangeActor("agent"));
        var console = Db.Get<ConsoleActions>();
        var both = await Assert.ThrowsAsync<PortalValidationException>(() =>
            console.CreateIncidentAsync("Case", record.Id, "VIP cannot log in", "PWIXJZS", "high", null, "P482651", "PJ25ZYX", null, "agent"));
        Assert.Equal(["Choose an escalation policy or an assignee, not both: PagerDuty takes one or the other."], both.Errors["assigneeId"]);

        await console.CreateIncidentAsync("Case", record.Id, "VIP cannot log in", "PWIXJZS", "high", null, null, "PJ25ZYX", null, "agent");
        await Db.Get<ActionDispatcher>().RunDueAsync();
        Assert.Equal(["PJ25ZYX"], Assert.Single(_pagerDuty.Incidents).AssigneeIds);
        Assert.Equal(["Dana"], Assert.Single(await Links(record.Id)).Assignees);
    }

    [Fact]
    public async Task SaysWhatPagerDutyAnsweredWhenTheTimelineCannotBeRead()
    {
        var (_, link) = await CreateAndLinkAsync("PWIXJZS");
        _pagerDuty.AnswerNext(FakeAnswer.Error(403, "Access Denied", 2010, "You do not have access to this incident"));
        var refused = await Assert.ThrowsAsync<PagerDutyException>(() => Db.Get<IncidentTimeline>().GetAsync(link.IncidentId));
        Assert.Contains("You do not have access to this incident", refused.Describe());
    }
}

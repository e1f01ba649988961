using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.Dispatch;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Core.Rules.Actions;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;

namespace Portal.Tests.Dispatch;

/// Every PagerDuty action type, queued from the Command Console and sent by the dispatcher to the strict fake
/// PagerDuty (which checks each request as PagerDuty documents it): a type added to the catalog fails here until it
/// has a sample below and a call in `ActionDispatcher.CallAsync`.
public sealed class EveryActionTypeTests : IAsyncLifetime
{
    private FakePagerDutyServer _pagerDuty = default!;
    private TestDatabase _db = default!;

    /// A valid console action of each type, and what the fake incident shows once PagerDuty has carried it out.
    private static readonly Dictionary<string, (string Parameters, Func<FakeIncident, bool> Done)> s_samples = new()
    {
        [RuleActionTypes.AcknowledgeIncident] = ("{}", i => i.Status == "acknowledged"),
        [RuleActionTypes.ResolveIncident] = ("""{"resolution":"Rolled back"}""", i => i.Status == "resolved" && i.Resolution == "Rolled back"),
        [RuleActionTypes.SetIncidentPriority] = ("""{"priorityId":"P2"}""", i => i.PriorityId == "P2"),
        [RuleActionTypes.SetIncidentUrgency] = ("""{"urgency":"low"}""", i => i.Urgency == "low"),
        [RuleActionTypes.ReassignIncident] = ("""{"escalationPolicyId":"P482651"}""", i => i.EscalationPolicyId == "P482651"),
        [RuleActionTypes.AddResponders] = ("""{"userIds":["PJ25ZYX"],"message":"Need payments"}""", i => i.ResponderRequests.Count == 1),
        [RuleActionTypes.RunIncidentWorkflow] = ("""{"workflowId":"PSFEVL7"}""", i => i.WorkflowRuns.Count == 1),
        [RuleActionTypes.RunAutomationAction] = ("""{"actionId":"01DA2MLYN0J5EFC1LKWXUKDDKT"}""", i => i.AutomationRuns.Count == 1),
        [RuleActionTypes.AddNote] = ("""{"content":"Looking into it"}""", i => i.Notes.Any(n => n.Content == "Looking into it")),
        [RuleActionTypes.SetIncidentTitle] = ("""{"title":"Checkout down in EU"}""", i => i.Title == "Checkout down in EU"),
        [RuleActionTypes.SetIncidentConference] = ("""{"conferenceNumber":"+1 415-555-1212,,,,1234#","conferenceUrl":"https://meet.example.com/checkout"}""",
            i => i.ConferenceNumber == "+1 415-555-1212,,,,1234#" && i.ConferenceUrl == "https://meet.example.com/checkout"),
        [RuleActionTypes.SetIncidentCustomFields] = ("""{"fields":{"environment":"production","region":["EU","US"],"affected_users":1200}}""",
            i => i.CustomFieldValues["environment"]!.GetValue<string>() == "production" && i.CustomFieldValues["region"]!.AsArray().Count == 2
                && i.CustomFieldValues["affected_users"]!.GetValue<int>() == 1200),
        [RuleActionTypes.EscalateIncident] = ("""{"escalationLevel":2}""", i => i.EscalationLevel == 2),
        [RuleActionTypes.AddStatusUpdate] = ("""{"message":"Fixed for most customers"}""", i => i.StatusUpdates.Contains("Fixed for most customers")),
    };

    public static TheoryData<string> ConsoleTypes => [.. RuleActionCatalog.Console.Select(k => k.Name)];

    public async Task InitializeAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        _db = await TestDatabase.WithPagerDutyAsync(_pagerDuty.PortalSettings());
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _pagerDuty.DisposeAsync();
    }

    [Fact]
    public void EveryPagerDutyActionTypeButCreateIncidentIsOfferedInTheConsoleAndSampledHere()
    {
        var incidentTypes = RuleActionCatalog.PagerDuty.Where(k => k.Name != RuleActionTypes.CreateIncident).Select(k => k.Name).Order();
        Assert.Equal(incidentTypes, RuleActionCatalog.Console.Select(k => k.Name).Order());
        Assert.Equal(incidentTypes, s_samples.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(ConsoleTypes))]
    public async Task TheConsoleQueuesItAndTheDispatcherCarriesItOut(string type)
    {
        var (recordId, incident) = await LinkedCaseAsync();
        var (parameters, done) = s_samples[type];
        await _db.Get<ConsoleActions>().ActAsync("Case", recordId, incident.Id, type, JsonNode.Parse(parameters)!.AsObject(), "agent");
        await _db.Get<ActionDispatcher>().RunDueAsync();

        await using var db = await _db.ContextAsync();
        var planned = await db.PlannedActions.AsNoTracking().SingleAsync();
        Assert.True(planned.State == PlannedActionStates.Succeeded, $"{type}: {planned.State} {planned.LastError}");
        Assert.Equal(type, planned.ActionType);
        // the payload is the typed action, read back as it was written
        Assert.Equal(type, RuleActionJson.ReadStored(planned.PayloadJson).Type);
        Assert.True(done(_pagerDuty.Incidents.Single(i => i.Id == incident.Id)), $"{type} did not reach PagerDuty's incident.");
    }

    [Fact]
    public async Task AConsoleActionMissingAParameterIsRefusedByFieldAndNothingIsQueued()
    {
        var (recordId, incident) = await LinkedCaseAsync();
        var console = _db.Get<ConsoleActions>();

        var noLevel = await Assert.ThrowsAsync<PortalValidationException>(() =>
            console.ActAsync("Case", recordId, incident.Id, RuleActionTypes.EscalateIncident, [], "agent"));
        Assert.Equal(["Needs 'escalationLevel'."], noLevel.Errors["escalationLevel"]);
        var wrongKind = await Assert.ThrowsAsync<PortalValidationException>(() =>
            console.ActAsync("Case", recordId, incident.Id, RuleActionTypes.EscalateIncident, new JsonObject { ["escalationLevel"] = "two" }, "agent"));
        Assert.Equal(["Needs 'escalationLevel' as a whole number of 1 or more."], wrongKind.Errors["escalationLevel"]);
        var noMessage = await Assert.ThrowsAsync<PortalValidationException>(() =>
            console.ActAsync("Case", recordId, incident.Id, RuleActionTypes.AddResponders, new JsonObject { ["userIds"] = new JsonArray("PJ25ZYX") }, "agent"));
        Assert.Equal(["Needs 'message'."], noMessage.Errors["message"]);
        var notConsole = await Assert.ThrowsAsync<PortalValidationException>(() =>
            console.ActAsync("Case", recordId, incident.Id, RuleActionTypes.SetField, new JsonObject { ["field"] = "Status", ["value"] = "Closed" }, "agent"));
        Assert.Contains("not an action the console can take", notConsole.Errors["type"].Single());
        Assert.Equal(ConsoleActions.Check(RuleActionTypes.EscalateIncident, []), noLevel.Errors);

        await using var db = await _db.ContextAsync();
        Assert.False(await db.PlannedActions.AnyAsync());
    }

    [Fact]
    public async Task WhatPagerDutyRefusesOnAResolvedIncidentIsRefusedBeforeItIsQueued()
    {
        var (recordId, incident) = await LinkedCaseAsync(status: "resolved");
        var console = _db.Get<ConsoleActions>();
        foreach (var kind in RuleActionCatalog.Console.Where(k => k.NotOnResolved))
        {
            var refused = await Assert.ThrowsAsync<PortalValidationException>(() =>
                console.ActAsync("Case", recordId, incident.Id, kind.Name, JsonNode.Parse(s_samples[kind.Name].Parameters)!.AsObject(), "agent"));
            Assert.Equal($"Incident #{incident.Number} is resolved: PagerDuty does not take '{kind.Verb}' on a resolved incident.", refused.Errors["type"].Single());
        }
        // a note is still welcome on a resolved incident
        await console.ActAsync("Case", recordId, incident.Id, RuleActionTypes.AddNote, new JsonObject { ["content"] = "Post-mortem on Monday" }, "agent");
        await using var db = await _db.ContextAsync();
        Assert.Equal(RuleActionTypes.AddNote, (await db.PlannedActions.AsNoTracking().SingleAsync()).ActionType);
    }

    [Fact]
    public async Task APlannedActionStoredUnderItsEarlierNameIsStillSent()
    {
        var (recordId, incident) = await LinkedCaseAsync();
        await using (var db = await _db.ContextAsync())
        {
            var now = _db.Clock.GetUtcNow().UtcDateTime.AddSeconds(-1);
            foreach (var (type, payload) in new[] { ("changeTitle", """{"type":"changeTitle","title":"Renamed"}"""), ("escalateIncident", """{"type":"escalateIncident","level":3}""") })
            {
                db.PlannedActions.Add(new PlannedActionEntity
                {
                    Id = Guid.CreateVersion7(), CreatedUtc = now, NextAttemptUtc = now, ActionType = type, PayloadJson = payload, ObjectName = "Case",
                    RecordId = recordId, IncidentId = incident.Id, RequestedBy = "agent", CorrelationId = Guid.CreateVersion7(),
                });
                now = now.AddMilliseconds(1);
            }
            await db.SaveChangesAsync();
        }
        await _db.Get<ActionDispatcher>().RunDueAsync();
        await using (var db = await _db.ContextAsync())
            Assert.All(await db.PlannedActions.AsNoTracking().ToListAsync(), a => Assert.True(a.State == PlannedActionStates.Succeeded, $"{a.ActionType}: {a.LastError}"));
        var after = _pagerDuty.Incidents.Single(i => i.Id == incident.Id);
        Assert.Equal("Renamed", after.Title);
        Assert.Equal(3, after.EscalationLevel);
    }

    private async Task<(string RecordId, FakeIncident Incident)> LinkedCaseAsync(string status = "triggered")
    {
        var record = await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Checkout down"}""").RootElement, new ChangeActor("agent"));
        var incident = _pagerDuty.SeedIncident("Checkout down", status: status);
        await _db.Get<ConsoleActions>().LinkExistingAsync("Case", record.Id, incident.Number.ToString(), "agent");
        return (record.Id, incident);
    }
}

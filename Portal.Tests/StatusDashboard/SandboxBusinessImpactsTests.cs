using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Dispatch;
using Portal.Core.Links;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Sandbox;
using Portal.Core.StatusDashboard;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.StatusDashboard;

/// The dashboard on the sandbox account: its business services depend on the sandbox's technical services, and an
/// open incident on a supporting service impacts them, as PagerDuty's service dependencies do.
public sealed class SandboxBusinessImpactsTests : IAsyncLifetime
{
    private static readonly string Responder = SandboxAccount.Users[0].Email;
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.WithPagerDutyAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private SandboxPagerDuty Sandbox => _db.Get<SandboxPagerDuty>();
    private BusinessImpacts Impacts => _db.Get<BusinessImpacts>();

    private async Task<PdIncident> PaymentsIncidentAsync()
    {
        var incident = await Sandbox.CreateIncidentAsync(new PdCreateIncident("Card payments fail", "PSBXPAY", PriorityId: "PSBXP2"), Responder, default);
        await _db.DrainEventsAsync();
        return incident;
    }

    [Fact]
    public async Task StartsWithItsBusinessServicesAllOperational()
    {
        var view = await Impacts.GetAsync();

        Assert.Equal(PagerDutyMode.Sandbox, view.Mode);
        Assert.Equal(["Billing and invoices", "Customer notifications", "Online store", "Partner integrations"], view.Services.Select(s => s.Name));
        Assert.Equal(0, view.ImpactedCount);
    }

    [Fact]
    public async Task AnOpenIncidentOnASupportingServiceImpactsEveryBusinessServiceThatDependsOnIt()
    {
        var incident = await PaymentsIncidentAsync();

        var view = await Impacts.GetAsync();

        Assert.Equal(["Billing and invoices", "Online store"], view.Services.Take(2).Select(s => s.Name).Order());
        Assert.All(view.Services.Take(2), s =>
        {
            Assert.Equal((true, "P2"), (s.Impacted, s.HighestPriority));
            var shown = Assert.Single(s.Incidents);
            Assert.Equal((incident.Id, incident.Number, "P2", "triggered"), (shown.Id, shown.Number, shown.Priority, shown.Status));
        });
        Assert.All(view.Services.Skip(2), s => Assert.False(s.Impacted));
    }

    [Fact]
    public async Task ShowsTheLatestStatusUpdateFromTheSandboxAndFromPortal()
    {
        var incident = await PaymentsIncidentAsync();
        await Sandbox.AddStatusUpdateAsync(incident.Id, "Investigating failed card payments.", Responder, default);
        await _db.DrainEventsAsync();
        var first = (await Impacts.GetAsync()).Services[0].Incidents[0].LatestUpdate!;
        Assert.Equal(("Investigating failed card payments.", StatusUpdateSources.Webhook, Responder), (first.Message, first.Source, first.Author));

        var record = await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Cannot pay"}""").RootElement, ChangeActor.System);
        await _db.Get<IncidentLinks>().LinkAsync(record.Id, incident.ToState(), "test");
        _db.Clock.Advance(TimeSpan.FromMinutes(1));
        await _db.Get<ConsoleActions>().ActAsync("Case", record.Id, incident.Id, "addStatusUpdate", new JsonObject { ["message"] = "Fixed for most customers." },
            "agent@portal.test");
        await _db.Get<ActionDispatcher>().RunDueAsync();
        await _db.DrainEventsAsync();

        var latest = (await Impacts.GetAsync()).Services[0].Incidents[0].LatestUpdate!;
        Assert.Equal(("Fixed for most customers.", StatusUpdateSources.Portal, "agent@portal.test"), (latest.Message, latest.Source, latest.Author));
        // Portal's post came back as the sandbox's webhook: still two updates in all, not three
        Assert.Equal(2, (await _db.Get<IncidentStatusUpdates>().ForIncidentAsync(incident.Id)).Count);
    }

    [Fact]
    public async Task ResolvingTheIncidentEndsTheImpactAtTheNextRead()
    {
        var incident = await PaymentsIncidentAsync();
        Assert.Equal(2, (await Impacts.GetAsync()).ImpactedCount);

        await Sandbox.UpdateIncidentAsync(incident.Id, new PdUpdateIncident(Status: "resolved"), Responder, default);
        await _db.DrainEventsAsync();
        _db.Clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, (await Impacts.GetAsync()).ImpactedCount);
        Assert.Empty(await Sandbox.ListIncidentImpactsAsync(incident.Id, default));
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;
using Portal.Components.Pages.Records;
using Portal.Core.Dispatch;
using Portal.Core.Notifications;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Records;

/// Issue 19, small slips: the console's "sending to PagerDuty…" snackbar gives way to the outcome once the dispatcher
/// finished the action, instead of staying up.
public sealed class ActionSnackbarsTests : PortalComponentTest
{
    private readonly ChangeNotifier _notifier = new(NullLogger<ChangeNotifier>.Instance);

    private ISnackbar Snackbar => Services.GetRequiredService<ISnackbar>();

    private ActionSnackbars Snackbars(string recordId) => new(Snackbar, _notifier, change => { change(); return Task.CompletedTask; }, () => recordId);

    private List<string> Shown() => [.. Snackbar.ShownSnackbars.Select(s => s.Message ?? "")];

    private static ActionFinished Finished(Guid id, string state, string? error = null) => new(new PlannedActionEntity
    {
        Id = id, ActionType = "acknowledgeIncident", PayloadJson = "{}", RequestedBy = "agent", State = state, RecordId = "r1", LastError = error,
    });

    [Fact]
    public void TheSendingSnackbarGivesWayToTheOutcome()
    {
        using var snackbars = Snackbars("r1");
        var (acknowledge, resolve) = (Guid.NewGuid(), Guid.NewGuid());
        snackbars.Sending(acknowledge, "Acknowledge #37");
        snackbars.Sending(resolve, "Resolve #38");
        Assert.Equal(["Acknowledge #37: sending to PagerDuty…", "Resolve #38: sending to PagerDuty…"], Shown());

        _notifier.Publish(Finished(Guid.NewGuid(), PlannedActionStates.Succeeded)); // someone else's action changes nothing here
        _notifier.Publish(Finished(acknowledge, PlannedActionStates.Succeeded));
        _notifier.Publish(Finished(resolve, PlannedActionStates.DeadLettered, "Incident Already Resolved"));

        Assert.Equal(["Acknowledge #37: done in PagerDuty.", "Resolve #38 failed: Incident Already Resolved."], Shown());
    }

    [Fact]
    public void AnActionFinishedBeforeThePageSaidItWasSendingShowsItsOutcomeAtOnce()
    {
        using var snackbars = Snackbars("r1");
        var note = Guid.NewGuid();
        _notifier.Publish(Finished(note, PlannedActionStates.Succeeded));

        snackbars.Sending(note, "Add note #37");

        Assert.Equal(["Add note #37: done in PagerDuty."], Shown());
    }
}

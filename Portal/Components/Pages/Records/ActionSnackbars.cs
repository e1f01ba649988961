using MudBlazor;
using Portal.Core.Dispatch;
using Portal.Core.Notifications;

namespace Portal.Components.Pages.Records;

/// The "sending to PagerDuty…" snackbar of an action planned from the console: it stays until the dispatcher has
/// finished that action and then gives way to the outcome (done, or failed with PagerDuty's words), so no snackbar
/// is left saying "sending" about an action that is long done. An action still retrying keeps its snackbar (it can
/// be closed; the record's "On its way to PagerDuty" panel shows the attempts).
public sealed class ActionSnackbars : IDisposable
{
    private const int KeepFinished = 50;

    private readonly ISnackbar _snackbar;
    private readonly Func<Action, Task> _onPage;
    private readonly Func<string?> _recordId;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, (string Label, Snackbar? Shown)> _sending = [];
    // finished before the page said it was sending (the sandbox answers at once): the outcome is shown right away
    private readonly Dictionary<Guid, PlannedActionEntity> _finished = [];
    private readonly ChangeSubscriptions _changes;

    /// `onPage` runs the snackbar changes on the component's renderer (its InvokeAsync); `recordId` is the record
    /// shown, whose actions are the only ones kept when they finish early.
    public ActionSnackbars(ISnackbar snackbar, ChangeNotifier notifier, Func<Action, Task> onPage, Func<string?> recordId)
    {
        (_snackbar, _onPage, _recordId) = (snackbar, onPage, recordId);
        _changes = notifier.Subscriptions().On<ActionFinished>(OnFinished);
    }

    public void Sending(Guid actionId, string label)
    {
        lock (_gate)
        {
            if (_finished.Remove(actionId, out var done))
            {
                ShowOutcome(label, done);
                return;
            }
            var shown = _snackbar.Add($"{label}: sending to PagerDuty…", Severity.Info, o =>
            {
                o.RequireInteraction = true;
                o.ShowCloseIcon = true;
            });
            _sending[actionId] = (label, shown);
        }
    }

    private void OnFinished(ActionFinished finished)
    {
        var action = finished.Action;
        _ = _onPage(() =>
        {
            lock (_gate)
            {
                if (_sending.Remove(action.Id, out var waiting))
                {
                    if (waiting.Shown is not null) _snackbar.Remove(waiting.Shown);
                    ShowOutcome(waiting.Label, action);
                }
                else if (action.RecordId is not null && action.RecordId == _recordId())
                {
                    if (_finished.Count >= KeepFinished) _finished.Clear();
                    _finished[action.Id] = action;
                }
            }
        });
    }

    private void ShowOutcome(string label, PlannedActionEntity action)
    {
        if (action.State == PlannedActionStates.Succeeded)
            _snackbar.Add($"{label}: done in PagerDuty.", Severity.Success);
        else
            _snackbar.Add($"{label} failed: {action.LastError ?? "see Dead letters for PagerDuty's answer"}.", Severity.Error);
    }

    public void Dispose() => _changes.Dispose();
}

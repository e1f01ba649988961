using Portal.Core.Notifications;

namespace Portal.Core.Dispatch;

/// Wakes the dispatcher as soon as planned actions are committed, so that an action does not wait for the next
/// poll. Poll-free latency matters: a rule's incident should reach PagerDuty within milliseconds of the change.
public sealed class DispatchSignal : WakeSignal
{
    public DispatchSignal(ChangeNotifier notifier) => notifier.Subscribe<PlannedActionsStored>(_ => Set());
}

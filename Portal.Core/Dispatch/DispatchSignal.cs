using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Core.Dispatch;

/// Wakes the dispatcher as soon as planned actions are committed, so that an action does not wait for the next
/// poll. Poll-free latency matters: a rule's incident should reach PagerDuty within milliseconds of the change.
public sealed class DispatchSignal : WakeSignal;

/// Sets the signal after a save or a commit that stored planned actions.
public sealed class PlannedActionsInterceptor(DispatchSignal signal) : AfterCommitInterceptor
{
    protected override bool Announces(DbContext context) =>
        context.ChangeTracker.Entries<PlannedActionEntity>().Any(e => e.State is EntityState.Added or EntityState.Modified);

    protected override void Committed() => signal.Set();
}

using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Portal.Core.Dispatch;
using Portal.Core.Links;
using Portal.Core.Logging;
using Portal.Core.Rulesets;
using Portal.Core.Settings;
using Portal.Core.StatusDashboard;

namespace Portal.Core.Notifications;

/// Feeds `ChangeNotifier` once a save or a transaction commits: the changes its rows show (a queued action, a link, a
/// status update, log entries, a rules version, a setting) and what stores enlisted with `AfterCommit`. A rollback, a
/// failed save or a rollback to a savepoint discards what it would have announced, so that nothing is told that did not
/// happen.
public sealed class ChangeNotifierInterceptor : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ChangeNotifier _notifier;
    private readonly ConditionalWeakTable<DbContext, Pending> _pending = [];

    internal ChangeNotifierInterceptor(ChangeNotifier notifier) => _notifier = notifier;

    private sealed class Pending
    {
        public readonly List<IChange> Changes = [];
        public readonly Stack<int> Savepoints = [];
        public int BeforeSave;

        public void Add(IChange change)
        {
            if (!Changes.Contains(change)) Changes.Add(change);
        }

        public void CutTo(int count)
        {
            if (count < Changes.Count) Changes.RemoveRange(count, Changes.Count - count);
        }
    }

    internal void Enlist(DbContext context, IChange change) => _pending.GetOrCreateValue(context).Add(change);

    private void Flush(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending)) return;
        _pending.Remove(context);
        foreach (var change in pending.Changes) _notifier.Publish(change);
    }

    private void Discard(DbContext? context)
    {
        if (context is not null) _pending.Remove(context);
    }

    private void Collect(DbContext context)
    {
        var pending = _pending.GetOrCreateValue(context);
        pending.BeforeSave = pending.Changes.Count;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached) continue;
            foreach (var change in ChangesOf(entry)) pending.Add(change);
        }
    }

    private static IEnumerable<IChange> ChangesOf(EntityEntry entry)
    {
        switch (entry.Entity)
        {
            case PlannedActionEntity action when entry.State is EntityState.Added or EntityState.Modified:
                yield return new PlannedActionsStored();
                var was = entry.State == EntityState.Modified ? (string?)entry.Property(nameof(PlannedActionEntity.State)).OriginalValue : null;
                if (was == action.State) break;
                if (action.State is PlannedActionStates.Succeeded or PlannedActionStates.DeadLettered) yield return new ActionFinished(action);
                if (action.State == PlannedActionStates.DeadLettered || was == PlannedActionStates.DeadLettered) yield return new DeadLettersChanged();
                break;
            case IncidentLinkEntity link:
                yield return new RecordLinksChanged(link.RecordId);
                break;
            case IncidentStatusUpdateEntity update when entry.State == EntityState.Added
                || (entry.State == EntityState.Modified && entry.Property(nameof(IncidentStatusUpdateEntity.Source)).IsModified):
                yield return new StatusUpdateAdded(update.IncidentId);
                break;
            case LogEntryEntity when entry.State == EntityState.Added:
                yield return new LogEntriesStored();
                break;
            case RulesetVersionEntity version when entry.State == EntityState.Added:
                yield return new RulesetSaved(version.Version);
                break;
            case SettingEntity setting when entry.State is EntityState.Added or EntityState.Modified:
                yield return new SettingChanged(setting.Key);
                break;
        }
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } context) Collect(context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context) Collect(context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Saved(DbContext? context)
    {
        if (context is not null && context.Database.CurrentTransaction is null) Flush(context);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => SaveFailed(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveFailed(eventData.Context);
        return Task.CompletedTask;
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => SaveFailed(eventData.Context);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveFailed(eventData.Context);
        return Task.CompletedTask;
    }

    // without a transaction the failed save was the whole unit of work; inside one, only this save's rows did not happen
    private void SaveFailed(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending)) return;
        if (context.Database.CurrentTransaction is null) Discard(context);
        else pending.CutTo(pending.BeforeSave);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Flush(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Flush(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Discard(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData)
    {
        if (eventData.Action == "Commit") Discard(eventData.Context);
    }

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }

    public void CreatedSavepoint(DbTransaction transaction, TransactionEventData eventData)
    {
        if (eventData.Context is { } context) _pending.GetOrCreateValue(context).Savepoints.Push(_pending.GetOrCreateValue(context).Changes.Count);
    }

    public Task CreatedSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        CreatedSavepoint(transaction, eventData);
        return Task.CompletedTask;
    }

    public void ReleasedSavepoint(DbTransaction transaction, TransactionEventData eventData)
    {
        if (eventData.Context is { } context && _pending.TryGetValue(context, out var pending)) pending.Savepoints.TryPop(out _);
    }

    public Task ReleasedSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        ReleasedSavepoint(transaction, eventData);
        return Task.CompletedTask;
    }

    public void RolledBackToSavepoint(DbTransaction transaction, TransactionEventData eventData)
    {
        if (eventData.Context is { } context && _pending.TryGetValue(context, out var pending) && pending.Savepoints.TryPeek(out var count))
            pending.CutTo(count);
    }

    public Task RolledBackToSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        RolledBackToSavepoint(transaction, eventData);
        return Task.CompletedTask;
    }
}

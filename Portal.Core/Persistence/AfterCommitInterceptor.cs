using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Core.Persistence;

/// Tells someone once a save or a transaction that stored what `Announces` looks for has committed (never before, and
/// never for a rollback): the seam through which rows, not hand-called announcements, wake loops and live pages.
public abstract class AfterCommitInterceptor : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, object> _pending = [];

    /// Whether the context's pending changes are worth announcing once committed.
    protected abstract bool Announces(DbContext context);

    protected abstract void Committed();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && Announces(context)) _pending.AddOrUpdate(context, this);
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && context.Database.CurrentTransaction is null && _pending.Remove(context)) Committed();
        return base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context && _pending.Remove(context)) Committed();
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }
}

using Microsoft.EntityFrameworkCore;
using Portal.Core.PagerDuty;

namespace Portal.Core.Persistence;

public sealed record Readiness(bool Ready, string? Problem);

/// What `/readyz` answers: ready only when a write can commit to the database this process opened. A probe writes the
/// budget's state row back unchanged in a transaction of its own (a real commit, through the write gate on SQLite), at
/// most once a second however often it is asked; the file's identity is checked on every call.
public sealed class DatabaseReadiness(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, DatabaseFileIdentity? file = null)
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _probing = new(1, 1);
    private (DateTimeOffset At, Readiness Result)? _last;

    public async Task<Readiness> CheckAsync(CancellationToken cancellationToken)
    {
        if (file?.Problem() is { } replaced) return new Readiness(false, replaced);
        if (Fresh() is { } cached) return cached;
        await _probing.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } other) return other;
            var result = await ProbeAsync(cancellationToken);
            _last = (clock.GetUtcNow(), result);
            return result;
        }
        finally
        {
            _probing.Release();
        }
    }

    private Readiness? Fresh() => _last is { } last && clock.GetUtcNow() - last.At < ProbeInterval ? last.Result : null;

    private async Task<Readiness> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.RequestBudgetStates.Where(s => s.Id == RequestBudgetStateEntity.SingleId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastTakeUtc, x => x.LastTakeUtc), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new Readiness(true, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new Readiness(false, $"A write to the database did not commit: {e.GetType().Name}.");
        }
    }
}

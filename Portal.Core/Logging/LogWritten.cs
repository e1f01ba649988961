using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Core.Logging;

/// Raised when log entries were stored: by the log writer after a flush, and after the commit of a change that stored
/// its audit entry itself (`AuditEntriesInterceptor`), so that the Logs page's live tail shows both at once.
public sealed class LogWritten
{
    public event Action? Raised;

    public void Raise() => Raised?.Invoke();
}

/// Raises `LogWritten` once a change's own audit entries (category `config`, never carried by the log queue) commit.
public sealed class AuditEntriesInterceptor(LogWritten written) : AfterCommitInterceptor
{
    protected override bool Announces(DbContext context) =>
        context.ChangeTracker.Entries<LogEntryEntity>().Any(e => e.State == EntityState.Added && e.Entity.Category == LogCategories.Config);

    protected override void Committed() => written.Raise();
}

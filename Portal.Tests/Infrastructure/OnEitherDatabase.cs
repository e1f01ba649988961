namespace Portal.Tests.Infrastructure;

/// Tests that run on SQLite and, through a subclass in the `PostgresCollection` that overrides `PostgresAsync`, again
/// on PostgreSQL: the same assertions hold on both providers.
public abstract class OnEitherDatabase
{
    /// A connection string to a fresh PostgreSQL database, or null for SQLite.
    protected virtual Task<string?> PostgresAsync() => Task.FromResult<string?>(null);
}

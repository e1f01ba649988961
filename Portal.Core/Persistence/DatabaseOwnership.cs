namespace Portal.Core.Persistence;

/// This process's claim to the database: while it holds it, any work claimed by another owner belongs to a process
/// that is gone (what lets a restart take back in-flight work at once). A second process is refused at start with a
/// message that names the database.
public interface IDatabaseOwnership : IDisposable
{
    void Acquire(string connectionString);
}

/// On PostgreSQL any number of instances share a database; each holds a session advisory lock keyed on its own
/// instance id (`hashtextextended(id, 0)`), on a connection of its own, for as long as it runs. The server frees it
/// when the session ends, however the process ends: another instance that can take the key knows this one is gone and
/// takes over its in-flight work (`ActionDispatcher`).
public sealed class PostgresInstanceLock(string connectionString, PortalInstance instance) : IDatabaseOwnership
{
    private PostgresSessionLock? _lock;

    public void Acquire(string _) => _lock ??= PostgresSessionLock.Take(connectionString, instance.Id, $"Portal instance {instance.Id}");

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}

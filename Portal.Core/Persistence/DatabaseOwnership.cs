using Npgsql;

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
    private NpgsqlConnection? _session;

    public void Acquire(string _)
    {
        if (_session is not null) return;
        // a pooled connection would go back to the pool still holding the lock: this one is never pooled
        var session = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString)
            { Pooling = false, Enlist = false, ApplicationName = $"Portal instance {instance.Id}" }.ConnectionString);
        session.Open();
        using var command = session.CreateCommand();
        command.CommandText = "SELECT pg_advisory_lock(hashtextextended(@id, 0))";
        command.Parameters.AddWithValue("id", instance.Id);
        command.ExecuteNonQuery();
        _session = session;
    }

    public void Dispose()
    {
        _session?.Dispose();
        _session = null;
    }
}

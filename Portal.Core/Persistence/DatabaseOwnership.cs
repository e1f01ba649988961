using Npgsql;

namespace Portal.Core.Persistence;

/// This process's claim to the database: while it holds it, any work claimed by another owner belongs to a process
/// that is gone (what lets a restart take back in-flight work at once). A second process is refused at start with a
/// message that names the database.
public interface IDatabaseOwnership : IDisposable
{
    void Acquire(string connectionString);
}

/// On PostgreSQL, until instances share the work (issue 14, part 2), one portal instance at a time owns a database: it
/// holds a session advisory lock on a connection of its own for as long as it runs (the server frees it when the
/// session ends, however the process ends).
public sealed class PostgresInstanceLock(string connectionString) : IDatabaseOwnership
{
    /// The advisory lock's key: "Portal" in ASCII, so that it is recognisable in `pg_locks`.
    public const long Key = 0x506F7274616C;

    private NpgsqlConnection? _session;

    public void Acquire(string _)
    {
        if (_session is not null) return;
        // a pooled connection would go back to the pool still holding the lock: this one is never pooled
        var session = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Enlist = false }.ConnectionString);
        session.Open();
        using var command = session.CreateCommand();
        command.CommandText = $"SELECT pg_try_advisory_lock({Key})";
        if (command.ExecuteScalar() is true)
        {
            _session = session;
            return;
        }
        var database = $"{session.Database} on {session.Host}:{session.Port}";
        session.Dispose();
        throw new PortalStartupException(
            $"Another Portal instance is using the PostgreSQL database {database} (it holds advisory lock {Key}). This build runs one " +
            "instance per database: stop the other one, or give this one a database of its own (ConnectionStrings:Portal).");
    }

    public void Dispose()
    {
        _session?.Dispose();
        _session = null;
    }
}

using Microsoft.Data.Sqlite;

namespace Portal.Core.Persistence;

/// On SQLite one portal process owns the database file: it holds `<file>.lock` open with no sharing (an exclusive
/// `flock` on Linux, released by the kernel when the process dies, however it dies). Owning the file is what lets a
/// restart take back at once the work a killed process had claimed, instead of waiting out its leases; a second process
/// on the same file is refused at start with a message that names the file. Several instances need PostgreSQL.
public sealed class DatabaseFileLock : IDatabaseOwnership
{
    private FileStream? _lock;

    public string? LockPath { get; private set; }

    /// Takes the lock for the SQLite file of `connectionString`; an in-memory database needs none.
    public void Acquire(string connectionString)
    {
        if (_lock is not null) return;
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:") return;
        var database = Path.GetFullPath(builder.DataSource);
        LockPath = database + ".lock";
        try
        {
            _lock = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException e)
        {
            throw new PortalStartupException(
                $"Another Portal process is using the database file {database} (it holds {LockPath}). On SQLite one process owns the file: " +
                "stop the other process, or give this one a database of its own (ConnectionStrings:Portal). Several instances on one " +
                "database need Database:Provider=Postgres.", e);
        }
        _lock.SetLength(0);
        var owner = System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId} {Environment.MachineName} {DateTime.UtcNow:O}\n");
        _lock.Write(owner);
        _lock.Flush();
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }
}

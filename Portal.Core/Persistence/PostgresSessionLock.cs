using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Portal.Core.Persistence;

/// A PostgreSQL session advisory lock on `hashtextextended(key, 0)`, held on a connection of its own: never pooled,
/// so the lock cannot outlive its holder in a pool. It is freed when disposed or, if the process dies, when the server
/// ends the session. Every lock Portal holds across instances is one of these: an instance's liveness
/// (`PostgresInstanceLock`), migrations at start, and the turns at periodic work (`PostgresTurn`).
public sealed class PostgresSessionLock : IAsyncDisposable, IDisposable
{
    private readonly NpgsqlConnection _session;

    private PostgresSessionLock(NpgsqlConnection session, bool taken) => (_session, Taken) = (session, taken);

    /// Whether the lock is held (a `TryTakeAsync` finds another holder: false).
    public bool Taken { get; }

    /// Waits for the lock. `applicationName` names the session in `pg_stat_activity`.
    public static async Task<PostgresSessionLock> TakeAsync(string connectionString, string key, string? applicationName, CancellationToken cancellationToken)
    {
        var session = Session(connectionString, applicationName);
        try
        {
            await session.OpenAsync(cancellationToken);
            await using var take = Command(session, "SELECT pg_advisory_lock(hashtextextended(@key, 0))", key);
            await take.ExecuteNonQueryAsync(cancellationToken);
            return new PostgresSessionLock(session, true);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// Waits for the lock, synchronously (a start that cannot go on without it).
    public static PostgresSessionLock Take(string connectionString, string key, string? applicationName)
    {
        var session = Session(connectionString, applicationName);
        try
        {
            session.Open();
            using var take = Command(session, "SELECT pg_advisory_lock(hashtextextended(@key, 0))", key);
            take.ExecuteNonQuery();
            return new PostgresSessionLock(session, true);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// Takes the lock if no one holds it; `Taken` says whether it did.
    public static async Task<PostgresSessionLock> TryTakeAsync(string connectionString, string key, CancellationToken cancellationToken)
    {
        var session = Session(connectionString, null);
        try
        {
            await session.OpenAsync(cancellationToken);
            await using var take = Command(session, "SELECT pg_try_advisory_lock(hashtextextended(@key, 0))", key);
            return new PostgresSessionLock(session, await take.ExecuteScalarAsync(cancellationToken) is true);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    private static NpgsqlConnection Session(string connectionString, string? applicationName)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Enlist = false };
        if (applicationName is not null) builder.ApplicationName = applicationName;
        return new NpgsqlConnection(builder.ConnectionString);
    }

    private static NpgsqlCommand Command(NpgsqlConnection session, string sql, string key)
    {
        var command = new NpgsqlCommand(sql, session);
        command.Parameters.AddWithValue("key", key);
        return command;
    }

    public ValueTask DisposeAsync() => _session.DisposeAsync();

    public void Dispose() => _session.Dispose();
}

/// One instance's turn at periodic work (a purge, a Status Dashboard read) on a PostgreSQL database that several
/// instances share: the session lock `Portal periodic: <job>`. None on SQLite, where one process owns the file.
public static class PostgresTurn
{
    /// The turn at `job`, taken or not; null on SQLite.
    public static async Task<PostgresSessionLock?> TryTakeAsync(IDbContextFactory<PortalDbContext> dbFactory, string job, CancellationToken cancellationToken)
    {
        string connectionString;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (!db.Database.IsNpgsql()) return null;
            connectionString = db.Database.GetConnectionString()!;
        }
        return await PostgresSessionLock.TryTakeAsync(connectionString, "Portal periodic: " + job, cancellationToken);
    }
}

using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Core.Persistence;

/// Lets SQLite itself wait for a busy write lock (in steps of a few milliseconds) instead of failing at once and
/// leaving Microsoft.Data.Sqlite to retry after a 150 ms sleep: the intake, the dispatcher and the log writer all
/// write concurrently, and the coarse retry made their answer times jump by whole sleeps.
///
/// `automaticCheckpoints: false` (the portal host) leaves checkpoints to `WalCheckpointer`, outside the write gate,
/// and truncates the write-ahead log file back to 64 MB when it is reused.
public sealed class SqliteConnectionSetup(bool automaticCheckpoints = true) : DbConnectionInterceptor
{
    private readonly string _pragmas = automaticCheckpoints
        ? "PRAGMA busy_timeout = 10000;"
        : "PRAGMA busy_timeout = 10000; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is not SqliteConnection) return;
        using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (connection is not SqliteConnection) return;
        await using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

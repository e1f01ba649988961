using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Persistence;

/// SQLite copies its write-ahead log back into the database file (a checkpoint) by itself every 1,000 pages, inside
/// the commit of whichever writer crossed the mark, and that commit returns only after the copy and its fsync. The
/// write gate is held until the commit returns, so every other writer (the webhook intake's too) waited for the copy.
/// The portal turns SQLite's own checkpoint off
/// on its connections (`SqliteConnectionSetup`) and checkpoints here instead, every second, on a connection of its own
/// and outside the gate: a PASSIVE checkpoint never blocks a writer, and writers never wait for it. (It keeps real
/// time, whatever clock the portal is given: a test's clock must not stop the file's upkeep.)
public sealed class WalCheckpointer(IDbContextFactory<PortalDbContext> dbFactory, ILogger<WalCheckpointer> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// One PASSIVE checkpoint: the pages in the log, and how many of them are now in the database file.
    public async Task<(int LogPages, int Checkpointed)> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt32(1), reader.GetInt32(2)) : (0, 0);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, stoppingToken);
                await CheckpointAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // the next second tries again; SQLite's log only grows meanwhile
                logger.LogWarning(e, "The write-ahead log checkpoint failed; it is tried again in a second.");
            }
        }
    }
}

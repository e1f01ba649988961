using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Persistence;

/// How a purge paces itself: a chunk and a short breath while the portal is quiet, and one small chunk a second while
/// live work (webhooks, records, the log itself) is writing. Busy, that is still 100 rows a second (8.6 million a
/// day), far more than a portal writes; quiet, a million expired rows go in minutes.
public sealed record PurgePace(int QuietChunk, TimeSpan QuietPause, int BusyChunk, TimeSpan BusyPause, double BusyWritesPerSecond)
{
    public static readonly PurgePace Default = new(200, TimeSpan.FromMilliseconds(20), 100, TimeSpan.FromSeconds(1), 10);
}

/// `Skipped`: another instance was running the same purge, so this one deleted nothing and left it to that one.
public sealed record PurgeResult(int Purged, int Chunks, int BusyChunks, TimeSpan Took, bool Skipped = false);

/// Deletes expired rows in chunks, each in a transaction of its own, yielding to live work. Every chunk holds SQLite's
/// one write lock while it deletes the rows and their index entries (for the log, its trigram text index too), and
/// costs CPU that the intake needs on a small machine: a purge at full speed raised the webhook intake's p99 by
/// 30–140 ms; paced, it waits while others write. Whether others are writing is read from the database file's write
/// gate (how many writes went through it during the pause), so a chore never has to guess from the clock.
public static class PacedPurge
{
    /// Runs `deleteChunk(db, size)` (delete up to `size` of the oldest expired rows, return how many) until a chunk
    /// comes back short. On PostgreSQL, where several instances share the database, the purge named `job` runs on one
    /// instance at a time: it holds a session advisory lock on that name meanwhile, and an instance that cannot take
    /// it leaves the round to the one that has it (`Skipped`).
    public static async Task<PurgeResult> RunAsync(IDbContextFactory<PortalDbContext> dbFactory, string job,
        Func<PortalDbContext, int, CancellationToken, Task<int>> deleteChunk, PurgePace pace, CancellationToken cancellationToken)
    {
        await using var turn = await PostgresTurn.TryTakeAsync(dbFactory, job, cancellationToken);
        if (turn is { Taken: false }) return new PurgeResult(0, 0, 0, TimeSpan.Zero, Skipped: true);
        return await RunChunksAsync(dbFactory, deleteChunk, pace, cancellationToken);
    }

    private static async Task<PurgeResult> RunChunksAsync(IDbContextFactory<PortalDbContext> dbFactory,
        Func<PortalDbContext, int, CancellationToken, Task<int>> deleteChunk, PurgePace pace, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (purged, chunks, busyChunks) = (0, 0, 0);
        var busy = false;
        while (true)
        {
            var size = busy ? pace.BusyChunk : pace.QuietChunk;
            SqliteWriteGate? gate;
            int deleted;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                gate = db.Database.GetDbConnection() is SqliteConnection connection ? SqliteWriteGate.For(connection) : null;
                deleted = await deleteChunk(db, size, cancellationToken);
            }
            purged += deleted;
            chunks++;
            if (busy) busyChunks++;
            if (deleted < size) return new PurgeResult(purged, chunks, busyChunks, Stopwatch.GetElapsedTime(started));

            // the pause tells whether others are writing: the purge itself writes nothing during it
            var pause = busy ? pace.BusyPause : pace.QuietPause;
            var before = gate?.Entries ?? 0;
            var pausing = Stopwatch.GetTimestamp();
            await Task.Delay(pause, cancellationToken);
            var seconds = Math.Max(Stopwatch.GetElapsedTime(pausing).TotalSeconds, 0.001);
            busy = ((gate?.Entries ?? 0) - before) / seconds >= pace.BusyWritesPerSecond;
        }
    }
}


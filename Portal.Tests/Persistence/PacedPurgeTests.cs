using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Logging;
using Portal.Core.Persistence;
using Portal.Core.Settings;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Persistence;

/// The retention purges delete in chunks and yield to live work: while other writers use the database they take
/// small chunks with long pauses, and they never stop before every expired row is gone.
public sealed class PacedPurgeTests : IAsyncLifetime
{
    private static readonly DateTime Old = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Cutoff = new(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    // short pauses, so that the test is quick; a writer that writes back to back is far above 10 writes a second
    private static readonly PurgePace Pace = new(QuietChunk: 100, QuietPause: TimeSpan.FromMilliseconds(100), BusyChunk: 30,
        BusyPause: TimeSpan.FromMilliseconds(250), BusyWritesPerSecond: 10);

    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task AddEntriesAsync(int count, DateTime time)
    {
        await using var db = await _db.ContextAsync();
        db.LogEntries.AddRange(Enumerable.Range(0, count).Select(i => LogEntryEntity.Create(time, LogLevel.Info, LogCategories.Webhook, $"entry {i}")));
        await db.SaveChangesAsync();
    }

    private Task<PurgeResult> PurgeAsync() => PacedPurge.RunAsync(_db.Get<IDbContextFactory<PortalDbContext>>(), "test purge", async (db, size, ct) =>
    {
        var chunk = await db.LogEntries.Where(e => e.TimeUtc < Cutoff).OrderBy(e => e.TimeUtc).Select(e => e.Id).Take(size).ToListAsync(ct);
        return await db.LogEntries.Where(e => chunk.Contains(e.Id)).ExecuteDeleteAsync(ct);
    }, Pace, CancellationToken.None);

    private async Task<(int Old, int Recent)> CountAsync()
    {
        await using var db = await _db.ContextAsync();
        return (await db.LogEntries.CountAsync(e => e.TimeUtc < Cutoff), await db.LogEntries.CountAsync(e => e.TimeUtc >= Cutoff));
    }

    [Fact]
    public async Task AQuietDatabaseIsPurgedInFullChunks()
    {
        await AddEntriesAsync(250, Old);
        await AddEntriesAsync(5, Cutoff.AddDays(1));

        var result = await PurgeAsync();

        Assert.Equal(new PurgeResult(250, 3, 0, result.Took), result); // 100 + 100 + 50
        Assert.Equal((0, 5), await CountAsync());
    }

    [Fact]
    public async Task WhileOthersWriteThePurgeTakesSmallChunksAndStillFinishes()
    {
        await AddEntriesAsync(260, Old);
        await using var probe = await _db.ContextAsync();
        var gate = SqliteWriteGate.For((SqliteConnection)probe.Database.GetDbConnection())!;
        using var stop = new CancellationTokenSource();
        var started = gate.Entries;
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await using var db = await _db.ContextAsync();
                db.Settings.Add(new SettingEntity { Key = $"live-{i}", Value = "{}", UpdatedUtc = DateTime.UtcNow });
                await db.SaveChangesAsync();
            }
        });
        while (gate.Entries - started < 5) await Task.Delay(5);

        var result = await PurgeAsync();
        await stop.CancelAsync();
        await writer;

        // the first chunk is a quiet one (nothing was measured yet); every pause after it saw the writer
        Assert.Equal(260, result.Purged);
        Assert.Equal(7, result.Chunks); // 100, then 30 × 5 and the last 10
        Assert.Equal(6, result.BusyChunks);
        Assert.Equal((0, 0), await CountAsync());
    }
}

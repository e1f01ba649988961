using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Settings;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Persistence;

/// The in-process write queue in front of SQLite's write lock: taken for every write, released whatever way the
/// write ends, never taken by reads.
public sealed class SqliteWriteGateTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static SqliteWriteGate GateOf(PortalDbContext db) => SqliteWriteGate.For((SqliteConnection)db.Database.GetDbConnection())!;

    private static SettingEntity Setting(string key) => new() { Key = key, Value = "{}", UpdatedUtc = DateTime.UtcNow };

    [Fact]
    public async Task ATransactionHoldsTheGateFromBeginToCommit()
    {
        await using var db = await _db.ContextAsync();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            Assert.False(GateOf(db).IsFree);
            Assert.True(SqliteWriteGateInterceptor.Holds(db.Database.GetDbConnection()));
            db.Settings.Add(Setting("a"));
            await db.SaveChangesAsync(); // inside the transaction: no second entry
            await transaction.CommitAsync();
            Assert.True(GateOf(db).IsFree);
        }
        Assert.True(GateOf(db).IsFree);
    }

    [Fact]
    public async Task RollbackAndDisposingWithoutCommitReleaseTheGate()
    {
        await using var db = await _db.ContextAsync();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.Settings.Add(Setting("rolled-back"));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }
        Assert.True(GateOf(db).IsFree);

        await using (await db.Database.BeginTransactionAsync())
        {
            Assert.False(GateOf(db).IsFree);
            // leaving the block disposes the transaction without a commit or a rollback
        }
        Assert.True(GateOf(db).IsFree);

        await using var check = await _db.ContextAsync();
        Assert.False(await check.Settings.AnyAsync(s => s.Key == "rolled-back"));
    }

    [Fact]
    public async Task AFailedWriteReleasesTheGate()
    {
        await using (var db = await _db.ContextAsync())
        {
            db.Settings.Add(Setting("twice"));
            await db.SaveChangesAsync();
        }
        await using (var db = await _db.ContextAsync())
        {
            db.Settings.Add(Setting("twice")); // same key: the INSERT fails on the primary key
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.True(GateOf(db).IsFree);
        }
        await using (var db = await _db.ContextAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Settings.Add(Setting("twice"));
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }
        // and the next writer gets in at once
        await using (var db = await _db.ContextAsync())
        {
            Assert.Equal(1, await db.Settings.Where(s => s.Key == "twice").ExecuteUpdateAsync(s => s.SetProperty(x => x.Value, "{\"b\":1}")));
            Assert.True(GateOf(db).IsFree);
        }
    }

    [Fact]
    public async Task ReadsNeverTakeTheGateSoTheyRunWhileAWriterHoldsIt()
    {
        await using var writer = await _db.ContextAsync();
        await using var transaction = await writer.Database.BeginTransactionAsync();
        writer.Settings.Add(Setting("uncommitted"));
        await writer.SaveChangesAsync();

        // another connection reads while the writer holds the gate and SQLite's write lock (WAL: the last commit)
        await using var reader = await _db.ContextAsync();
        Assert.False(await reader.Settings.AnyAsync(s => s.Key == "uncommitted"));
        Assert.False(SqliteWriteGateInterceptor.Holds(reader.Database.GetDbConnection()));
        await transaction.CommitAsync();
        Assert.True(await reader.Settings.AnyAsync(s => s.Key == "uncommitted"));
    }

    [Fact]
    public async Task AQueuedWriterGoesOnWhenTheHolderCommits()
    {
        await using var first = await _db.ContextAsync();
        var transaction = await first.Database.BeginTransactionAsync();
        first.Settings.Add(Setting("first"));
        await first.SaveChangesAsync();

        await using var second = await _db.ContextAsync();
        second.Settings.Add(Setting("second"));
        var queued = second.SaveChangesAsync(); // waits for the gate (not in SQLite's busy handler)
        await transaction.CommitAsync();
        await transaction.DisposeAsync();
        Assert.Equal(1, await queued);
        Assert.True(GateOf(second).IsFree);
    }

    [Theory]
    [InlineData("INSERT INTO \"Settings\" (\"Key\") VALUES (@p0) RETURNING 1;", true)]
    [InlineData("  \nUPDATE \"WebhookEvents\" SET \"State\" = @p0", true)]
    [InlineData("-- a tag\nDELETE FROM \"LogEntries\" WHERE 0", true)]
    [InlineData("WITH x AS (SELECT 1) UPDATE t SET a = 1", true)]
    [InlineData("WITH x AS (SELECT (1)) SELECT * FROM x", false)]
    [InlineData("SELECT \"s\".\"Key\" FROM \"Settings\" AS \"s\"", false)]
    [InlineData("PRAGMA busy_timeout = 10000;", false)]
    [InlineData(null, false)]
    public void TellsWritesFromReads(string? sql, bool write) => Assert.Equal(write, SqliteWriteGateInterceptor.IsWrite(sql));
}

/// A write that keeps every other writer waiting is named in the host's log.
public sealed class SlowWriteWarningTests : IAsyncLifetime
{
    private readonly CapturedLogger<SqliteWriteGateInterceptor> _log = new();
    private TestDatabase _db = null!;
    private DbContextOptions<PortalDbContext> _options = null!;
    // the time the lock is held is the fake clock's: the tests advance it past the limit instead of sleeping
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = new();

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await using var probe = await _db.ContextAsync();
        _options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite(probe.Database.GetConnectionString())
            .AddInterceptors(new SqliteWriteGateInterceptor(_log, TimeSpan.FromMilliseconds(100), _clock)).Options;
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task AWriteHoldingTheLockLongerThanTheLimitWhileOthersWaitIsReportedWithItsFirstStatement()
    {
        await using (var db = new PortalDbContext(_options))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Settings.Add(new SettingEntity { Key = "slow", Value = "{\"apiKey\":\"never-logged\"}", UpdatedUtc = DateTime.UtcNow });
            await db.SaveChangesAsync();
            var gate = SqliteWriteGate.For((SqliteConnection)db.Database.GetDbConnection())!;
            var queued = Task.Run(async () =>
            {
                await using var other = new PortalDbContext(_options);
                other.Settings.Add(new SettingEntity { Key = "queued", Value = "{}", UpdatedUtc = DateTime.UtcNow });
                await other.SaveChangesAsync();
            });
            while (gate.Waiting == 0) await Task.Delay(5);
            _clock.Advance(TimeSpan.FromMilliseconds(200));
            await transaction.CommitAsync();
            await queued;
        }

        var (level, message, _) = Assert.Single(_log.Entries);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, level);
        Assert.Matches(@"^A database write held the write lock for \d+ ms with 1 queued behind it \(the webhook intake's writes queue there too\)\. " +
            @"Its first statement: INSERT INTO ""Settings"" \(""Key"", ""UpdatedBy"", ""UpdatedUtc"", ""Value""\) VALUES \(@p0, @p1, @p2, @p3\);$", message);
        Assert.DoesNotContain("never-logged", message);
    }

    [Fact]
    public async Task ASlowWriteThatKeptNobodyWaitingIsNotReported()
    {
        await using (var db = new PortalDbContext(_options))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Settings.Add(new SettingEntity { Key = "alone", Value = "{}", UpdatedUtc = DateTime.UtcNow });
            await db.SaveChangesAsync();
            _clock.Advance(TimeSpan.FromMilliseconds(200));
            await transaction.CommitAsync();
        }
        Assert.Empty(_log.Entries);
    }
}

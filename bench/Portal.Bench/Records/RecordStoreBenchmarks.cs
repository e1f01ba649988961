using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Portal.Core.Records;

namespace Portal.Bench.Records;

/// Sequential record creates and changes through `RecordStore` on a migrated SQLite file in WAL mode, beside the
/// ceiling on the same disk: plain single-row INSERT transactions with Microsoft.Data.Sqlite on a file in the same
/// folder, same journal mode, synchronous left at the library's default (printed by the setup as "Pragmas:").
/// Each invocation is a batch of sequential operations, so the figures are per operation.
[Config(typeof(BatchConfig))]
public class RecordStoreBenchmarks
{
    private const int Batch = 250;
    private const int ChangedRecords = 100;

    private static readonly ChangeActor Actor = new("bench");
    private static readonly string[] Statuses = ["New", "Working", "Escalated", "Closed"];
    private static readonly string[] Priorities = ["P1", "P2", "P3", "P4"];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "portal-bench-records");
    private readonly List<string> _files = [];
    private readonly List<string> _ids = [];
    private ServiceProvider _services = null!;
    private RecordStore _store = null!;
    private JsonElement[] _creates = null!;
    private JsonElement[] _patches = null!;
    private int[] _patchTurn = null!;
    private int _next;
    private string _plainConnectionString = null!;
    private SqliteConnection _plain = null!;
    private SqliteCommand _insert = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        Directory.CreateDirectory(_folder);
        var portalFile = NewFile("portal");
        _services = await RecordsDatabase.CreateAsync(portalFile);
        _store = _services.GetRequiredService<RecordStore>();

        _creates = [.. Enumerable.Range(0, 16).Select(i => Json(new Dictionary<string, object>
        {
            ["Subject"] = $"Printer on floor {i} jams on every second page",
            ["Description"] = "Reported by the front desk; the toner was replaced last week and the jam came back the same day.",
            ["Status"] = Statuses[i % Statuses.Length],
            ["Priority"] = Priorities[i % Priorities.Length],
            ["Origin"] = "Email",
            ["ContactEmail"] = $"user{i}@example.com",
        }))];
        // Two fields per change, and every change differs from the record's current values, so each one writes.
        _patches = [.. Enumerable.Range(0, Statuses.Length).Select(t =>
            Json(new Dictionary<string, object> { ["Status"] = Statuses[t], ["Priority"] = Priorities[t] }))];
        for (var i = 0; i < ChangedRecords; i++)
        {
            _ids.Add((await _store.CreateAsync("Case", _creates[0], Actor)).Id);
        }

        _patchTurn = new int[ChangedRecords];

        var plainFile = NewFile("plain");
        _plainConnectionString = $"Data Source={plainFile}";
        _plain = new SqliteConnection(_plainConnectionString);
        _plain.Open();
        Execute(_plain, "PRAGMA journal_mode=WAL;");
        Execute(_plain, "CREATE TABLE plain (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, body TEXT NOT NULL, created_utc TEXT NOT NULL);");
        _insert = NewInsert(_plain);

        await using var db = await _services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var efConnection = db.Database.GetDbConnection();
        Console.WriteLine(
            $"Pragmas: portal journal_mode={Scalar(efConnection, "PRAGMA journal_mode;")} synchronous={Scalar(efConnection, "PRAGMA synchronous;")}; " +
            $"plain journal_mode={Scalar(_plain, "PRAGMA journal_mode;")} synchronous={Scalar(_plain, "PRAGMA synchronous;")} " +
            $"(0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA); SQLite {_plain.ServerVersion}; folder {_folder}");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _insert.Dispose();
        _plain.Dispose();
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var file in _files)
        {
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(file + suffix);
            }
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "Plain INSERT transaction (one open connection)")]
    public void PlainInsert()
    {
        for (var i = 0; i < Batch; i++)
        {
            using var transaction = _plain.BeginTransaction();
            _insert.Transaction = transaction;
            Bind(_insert, i);
            _insert.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Plain INSERT transaction (pooled open per insert)")]
    public void PlainInsertOpenPerInsert()
    {
        for (var i = 0; i < Batch; i++)
        {
            using var connection = new SqliteConnection(_plainConnectionString);
            connection.Open();
            using var transaction = connection.BeginTransaction();
            using var insert = NewInsert(connection);
            insert.Transaction = transaction;
            Bind(insert, i);
            insert.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "RecordStore.CreateAsync (Case, 6 fields)")]
    public async Task RecordCreate()
    {
        for (var i = 0; i < Batch; i++)
        {
            await _store.CreateAsync("Case", _creates[i % _creates.Length], Actor);
        }
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "RecordStore.UpdateAsync (PATCH of 2 fields)")]
    public async Task RecordChange()
    {
        for (var i = 0; i < Batch; i++)
        {
            var record = _next++ % ChangedRecords;
            var turn = _patchTurn[record] = (_patchTurn[record] + 1) % _patches.Length;
            await _store.UpdateAsync("Case", _ids[record], _patches[turn], Actor);
        }
    }

    private string NewFile(string name)
    {
        var file = Path.Combine(_folder, $"{name}-{Guid.NewGuid():n}.db");
        _files.Add(file);
        return file;
    }

    private static JsonElement Json(Dictionary<string, object> fields) => JsonSerializer.SerializeToElement(fields);

    private static SqliteCommand NewInsert(SqliteConnection connection)
    {
        var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO plain (subject, body, created_utc) VALUES ($subject, $body, $created);";
        insert.Parameters.Add("$subject", SqliteType.Text);
        insert.Parameters.Add("$body", SqliteType.Text);
        insert.Parameters.Add("$created", SqliteType.Text);
        return insert;
    }

    private static void Bind(SqliteCommand insert, int i)
    {
        insert.Parameters[0].Value = "Printer on floor " + i + " jams on every second page";
        insert.Parameters[1].Value = """{"Status":"New","Priority":"P2","Origin":"Email"}""";
        insert.Parameters[2].Value = DateTime.UtcNow.ToString("O");
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(System.Data.Common.DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}

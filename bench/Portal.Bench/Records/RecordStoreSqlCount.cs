using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Records;

namespace Portal.Bench.Records;

/// Not a timing: counts the SQL commands one record create and one two-field change send, to explain the gap
/// between the store and the plain-insert ceiling (`--records-sql`).
public static class RecordStoreSqlCount
{
    private const int Operations = 50;

    public static async Task RunAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "portal-bench-records");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"sqlcount-{Guid.NewGuid():n}.db");
        var counter = new CommandCounter();
        try
        {
            await using (var services = await RecordsDatabase.CreateAsync(file, o => o.AddInterceptors(counter)))
            {
                var store = services.GetRequiredService<RecordStore>();
                var actor = new ChangeActor("bench");
                var create = JsonSerializer.SerializeToElement(new { Subject = "Printer jams", Status = "New", Priority = "P2", Origin = "Email" });
                var first = await store.CreateAsync("Case", create, actor);

                counter.Reset();
                var ids = new List<string>();
                for (var i = 0; i < Operations; i++)
                {
                    ids.Add((await store.CreateAsync("Case", create, actor)).Id);
                }

                Report("RecordStore.CreateAsync", counter);

                counter.Reset();
                for (var i = 0; i < Operations; i++)
                {
                    var patch = JsonSerializer.SerializeToElement(new { Status = i % 2 == 0 ? "Working" : "Closed", Priority = i % 2 == 0 ? "P1" : "P3" });
                    await store.UpdateAsync("Case", ids[i], patch, actor);
                }

                Report("RecordStore.UpdateAsync (2 fields)", counter);
                GC.KeepAlive(first);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(file + suffix);
            }
        }
    }

    private static void Report(string operation, CommandCounter counter)
    {
        Console.WriteLine($"{operation}: {(double)counter.Commands / Operations:N1} SQL commands per operation " +
            $"(transactions begun: {(double)counter.Transactions / Operations:N1}, connections opened: {(double)counter.Opens / Operations:N1})");
        foreach (var (sql, count) in counter.Texts.OrderByDescending(pair => pair.Value))
        {
            Console.WriteLine($"  {(double)count / Operations,4:N1} × {OneLine(sql)}");
        }
    }

    private static string OneLine(string sql)
    {
        var line = string.Join(' ', sql.Split((char[])['\r', '\n', ' '], StringSplitOptions.RemoveEmptyEntries));
        return line.Length > 160 ? line[..160] + "…" : line;
    }

    private sealed class CommandCounter : DbCommandInterceptor, IDbConnectionInterceptor, IDbTransactionInterceptor
    {
        public int Commands { get; private set; }
        public int Transactions { get; private set; }
        public int Opens { get; private set; }
        public Dictionary<string, int> Texts { get; } = [];

        public void Reset()
        {
            Commands = Transactions = Opens = 0;
            Texts.Clear();
        }

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            Count(command);
            return base.ReaderExecutedAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            Count(command);
            return base.NonQueryExecutedAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
        {
            Count(command);
            return base.ScalarExecutedAsync(command, eventData, result, cancellationToken);
        }

        public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Opens++;
            return Task.CompletedTask;
        }

        public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
        {
            Transactions++;
            return ValueTask.FromResult(result);
        }

        private void Count(DbCommand command)
        {
            Commands++;
            Texts[command.CommandText] = Texts.GetValueOrDefault(command.CommandText) + 1;
        }
    }
}

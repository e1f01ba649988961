using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Portal.Bench.Load;

/// Shared pieces of the load modes: the repository root, `uptime`, percentiles, and the SQLite commit ceiling.
public static class LoadCommon
{
    public const string Folder = "/tmp/portal-bench";

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Run from inside the repository (no Portal.sln found above the current folder).");
    }

    public static string Uptime()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("uptime") { RedirectStandardOutput = true })!;
            var text = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return text;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "(uptime unavailable)";
        }
    }

    /// `--name 123` from the command line, or `fallback`.
    public static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    public static void Say(string line) =>
        Console.WriteLine($"[{DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {line}");

    public static void SayUptime(string when) => Say($"uptime {when}: {Uptime()}");

    /// Nearest-rank percentile of an ascending array.
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static string Distribution(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.OrderBy(x => x).ToArray();
        if (sorted.Length == 0) return "n=0";
        return string.Create(CultureInfo.InvariantCulture,
            $"n={sorted.Length} p50={Percentile(sorted, 50):0.0} ms p90={Percentile(sorted, 90):0.0} ms p99={Percentile(sorted, 99):0.0} ms " +
            $"max={sorted[^1]:0.0} ms mean={sorted.Average():0.0} ms");
    }

    public static double Ms(long fromTimestamp, long toTimestamp) => Stopwatch.GetElapsedTime(fromTimestamp, toTimestamp).TotalMilliseconds;

    /// The SQLite commit ceiling on the disk of the portal's database: single-row INSERT transactions on one open
    /// connection (prepared), WAL, synchronous left at the default (FULL, printed), for `seconds`; then the same with
    /// `rowsPerTransaction` rows per transaction (the group-commit ceiling).
    public static void SqliteCeiling(string label, double seconds = 5, int rowsPerTransaction = 50)
    {
        Directory.CreateDirectory(Folder);
        var file = Path.Combine(Folder, "ceiling.db");
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
        using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, "CREATE TABLE plain (id INTEGER PRIMARY KEY, subject TEXT NOT NULL, body TEXT NOT NULL, created_utc TEXT NOT NULL);");
            var pragmas = $"journal_mode={Scalar(connection, "PRAGMA journal_mode;")} synchronous={Scalar(connection, "PRAGMA synchronous;")} (2 = FULL)";
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO plain (subject, body, created_utc) VALUES ($s, $b, $c);";
            var s = insert.Parameters.Add("$s", SqliteType.Text);
            var b = insert.Parameters.Add("$b", SqliteType.Text);
            var c = insert.Parameters.Add("$c", SqliteType.Text);
            insert.Prepare();

            double Run(int rows)
            {
                var transactions = 0;
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed.TotalSeconds < seconds)
                {
                    using var transaction = connection.BeginTransaction();
                    insert.Transaction = transaction;
                    for (var r = 0; r < rows; r++)
                    {
                        s.Value = "Printer jams on every second page";
                        b.Value = "A body of about the size of a small webhook summary, to make the row realistic.";
                        c.Value = DateTime.UtcNow.ToString("O");
                        insert.ExecuteNonQuery();
                    }
                    transaction.Commit();
                    transactions++;
                }
                return transactions / clock.Elapsed.TotalSeconds;
            }

            var single = Run(1);
            var grouped = Run(rowsPerTransaction);
            Say(string.Create(CultureInfo.InvariantCulture,
                $"SQLite ceiling ({label}): {single:N0} single-row INSERT transactions/s; {grouped * rowsPerTransaction:N0} rows/s at {rowsPerTransaction} rows per transaction " +
                $"({grouped:N0} transactions/s); {pragmas}; SQLite {connection.ServerVersion}; {file}"));
        }
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
    }

    /// `databaseFile`: a SQLite file, or `postgres:` and a connection string (`PORTAL_BENCH_POSTGRES`), where the
    /// tables and the State column of `sql` are quoted as PostgreSQL needs.
    public static long CountRows(string databaseFile, string sql)
    {
        if (databaseFile.StartsWith("postgres:", StringComparison.Ordinal))
        {
            using var postgres = new Npgsql.NpgsqlConnection(databaseFile["postgres:".Length..]);
            postgres.Open();
            using var query = new Npgsql.NpgsqlCommand(sql.Replace("WebhookEvents", "\"WebhookEvents\"").Replace("PlannedActions", "\"PlannedActions\"")
                .Replace("State", "\"State\""), postgres);
            return Convert.ToInt64(query.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        using var connection = new SqliteConnection($"Data Source={databaseFile};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// Runs `sql` on the database file, on a connection of its own.
    public static void Execute(string databaseFile, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={databaseFile};Pooling=False");
        connection.Open();
        Execute(connection, sql);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}

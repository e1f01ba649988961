using Microsoft.Data.Sqlite;

namespace Portal.Core.Persistence;

/// A consistent copy of a SQLite database taken while the portal runs, with SQLite's online backup API: the copy is
/// one snapshot (a read transaction in WAL mode, so writers go on meanwhile), and it holds everything a restore
/// needs, the Data Protection key ring included (it is stored in the database). The copy is written beside the target
/// and renamed into place once it passed `PRAGMA quick_check`, so a failed backup never leaves a half file under the
/// name asked for.
public static class SqliteBackup
{
    public static async Task<FileInfo> BackupAsync(string connectionString, string targetFile, CancellationToken cancellationToken = default)
    {
        var source = new SqliteConnectionStringBuilder(connectionString);
        if (!File.Exists(source.DataSource))
            throw new PortalStartupException($"There is no SQLite database at {Path.GetFullPath(source.DataSource)} to back up.");
        var target = Path.GetFullPath(targetFile);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial";
        File.Delete(partial);
        try
        {
            await using (var from = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString))
            await using (var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ConnectionString))
            {
                await from.OpenAsync(cancellationToken);
                await using (var wait = from.CreateCommand())
                {
                    wait.CommandText = "PRAGMA busy_timeout = 10000;";
                    await wait.ExecuteNonQueryAsync(cancellationToken);
                }
                await to.OpenAsync(cancellationToken);
                from.BackupDatabase(to);
                await using var check = to.CreateCommand();
                check.CommandText = "PRAGMA quick_check;";
                var result = (string?)await check.ExecuteScalarAsync(cancellationToken);
                if (result != "ok") throw new InvalidOperationException($"The backup did not pass SQLite's quick_check: {result}");
            }
            File.Move(partial, target, overwrite: true);
            return new FileInfo(target);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}

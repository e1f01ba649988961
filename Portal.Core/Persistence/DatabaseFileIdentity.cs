using Microsoft.Data.Sqlite;

namespace Portal.Core.Persistence;

/// On SQLite: is the database file still the one this process opened? A deleted or replaced file does not stop SQLite
/// (its connections keep writing to the unlinked file, and a webhook answered 202 would be lost with it), so the
/// intake and `/readyz` ask here. On Linux a handle kept open on the file tells: `/proc/self/fd/<n>` names the file it
/// refers to, marked "(deleted)" once that file is unlinked or renamed over; elsewhere the file must still exist.
public sealed class DatabaseFileIdentity : IDisposable
{
    private FileStream? _handle;
    private string? _path;

    public string? Path => _path;

    /// Starts watching the SQLite file of `connectionString` (after the migrations made it).
    public void Open(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:") return;
        _path = System.IO.Path.GetFullPath(builder.DataSource);
        _handle?.Dispose();
        _handle = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
    }

    /// Null while the file is the one opened; else what is wrong with it, in words for the answer and the log.
    public string? Problem()
    {
        if (_path is null || _handle is null) return null;
        if (!File.Exists(_path)) return $"The database file {_path} is gone.";
        if (!OperatingSystem.IsLinux()) return null;
        var target = new FileInfo($"/proc/self/fd/{_handle.SafeFileHandle.DangerousGetHandle()}").LinkTarget;
        return target is null || target == _path ? null : $"The database file {_path} was replaced since the portal opened it.";
    }

    /// Refuses the start, with a message naming the file, when the database file, its folder or its `-wal` and `-shm`
    /// files cannot be written (a `-shm` that cannot be written later kills the process with no log line at all).
    public static void CheckWritable(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:") return;
        var file = System.IO.Path.GetFullPath(builder.DataSource);
        var folder = System.IO.Path.GetDirectoryName(file)!;
        var probe = System.IO.Path.Combine(folder, $".portal-write-check-{Environment.ProcessId}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PortalStartupException($"The database folder {folder} cannot be written ({e.Message}): SQLite needs to create its -wal and -shm files there.", e);
        }
        foreach (var path in new[] { file, file + "-wal", file + "-shm" })
        {
            if (!File.Exists(path) && !Directory.Exists(path)) continue;
            try
            {
                using var _ = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new PortalStartupException($"The database file {path} cannot be written ({e.Message}): give the portal's user write access to it.", e);
            }
        }
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
    }
}

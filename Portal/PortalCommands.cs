using Portal.Core;
using Portal.Core.Persistence;

namespace Portal;

/// What `dotnet Portal.dll <command>` does instead of serving: `backup <file>` (a consistent copy of the SQLite database
/// while the portal runs). Settings are read as the portal reads them (the same content root and configuration).
public static class PortalCommands
{
    public static bool IsCommand(string[] args) => args is ["backup", ..];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not ["backup", var file, .. var rest] || file.StartsWith("--", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync("Usage: dotnet Portal.dll backup <file> [--ConnectionStrings:Portal=…]");
            return 2;
        }
        var configuration = WebApplication.CreateBuilder(PortalHost.Options(rest));
        try
        {
            if (DatabaseProviders.Parse(configuration.Configuration[$"{DatabaseOptions.Section}:Provider"]) == DatabaseProvider.Postgres)
            {
                await Console.Error.WriteLineAsync("With PostgreSQL, back up with pg_dump: pg_dump -Fc -f portal.dump <database> " +
                    "(the Data Protection key ring is in the database, so the dump holds it); restore with pg_restore --clean -d <database> portal.dump.");
                return 2;
            }
            var connectionString = PersistenceExtensions.SqliteConnectionString(configuration.Configuration, configuration.Environment.ContentRootPath);
            var backup = await SqliteBackup.BackupAsync(connectionString, file);
            Console.WriteLine($"Backed up {new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource} to {backup.FullName} " +
                $"({backup.Length:N0} bytes), with the Data Protection key ring it needs.");
            return 0;
        }
        catch (Exception e) when (e is PortalStartupException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            await Console.Error.WriteLineAsync($"The backup failed: {e.Message}");
            return 1;
        }
    }
}

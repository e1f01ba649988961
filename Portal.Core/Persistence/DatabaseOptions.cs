namespace Portal.Core.Persistence;

public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public string Provider { get; set; } = "Sqlite";
}

public enum DatabaseProvider { Sqlite, Postgres }

public static class DatabaseProviders
{
    /// The assembly that holds PostgreSQL's migration set (SQLite's is Portal.Core's own).
    public const string PostgresMigrationsAssembly = "Portal.Postgres";

    public static DatabaseProvider Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Equals("Sqlite", StringComparison.OrdinalIgnoreCase)) return DatabaseProvider.Sqlite;
        if (value.Equals("Postgres", StringComparison.OrdinalIgnoreCase) || value.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase))
            return DatabaseProvider.Postgres;
        throw new PortalStartupException($"Database:Provider '{value}' is not known; use 'Sqlite' or 'Postgres'.");
    }
}

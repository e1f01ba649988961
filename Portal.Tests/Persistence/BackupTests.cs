using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Portal.Core.Persistence;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using Portal.Tests.Rulesets;
using Portal.Tests.Webhooks;

namespace Portal.Tests.Persistence;

/// `dotnet Portal.dll backup <file>` while the portal runs, and a restore: stop, put the copy in place, start.
public sealed class BackupTests : IDisposable
{
    private const string Secret = "backup-test-webhook-secret";
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-backup-tests.").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["PagerDuty__WebhookSecrets__0"] = Secret,
        ["Authentication__BootstrapAdmin__Email"] = "admin@portal.test",
        ["Authentication__BootstrapAdmin__Password"] = "Backup-Passw0rd",
    };

    private static HttpRequestMessage Delivery(string eventId) => SignedDelivery.Triggered(eventId, Secret);

    [Fact]
    public async Task ABackupTakenWhileWebhooksArriveRestoresEveryAcceptedDeliveryRecordRuleAndTheKeyRing()
    {
        var database = Path.Combine(_folder, "portal.db");
        var copy = Path.Combine(_folder, "backups", "portal-copy.db");
        await using var portal = await PortalProcess.StartAsync("original", database, Settings);
        using var http = portal.CreateClient();
        (await http.PutAsync("/api/rulesets", Json(RulesWiringTests.ContractExample))).EnsureSuccessStatusCode();
        using var created = await http.PostAsync("/api/objects/Case/records", Json("""{"fields":{"Subject":"Checkout down","Priority":"Low"}}"""));
        var recordId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        // a signed-in session: its cookie is protected by the Data Protection key ring the backup must carry
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = portal.BaseUrl };
        (await FormPost.SignInAsync(browser, "admin@portal.test", "Backup-Passw0rd")).Dispose();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/me")).StatusCode);

        // webhooks keep arriving before, during and after the backup
        var acceptedBefore = new List<string>();
        var backupStarted = false;
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            using var webhooks = new HttpClient { BaseAddress = portal.BaseUrl };
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var eventId = $"BACKUP{i:D6}";
                var startedBefore = !Volatile.Read(ref backupStarted);
                using var answer = await webhooks.SendAsync(Delivery(eventId));
                if (answer.StatusCode == HttpStatusCode.Accepted && startedBefore && !Volatile.Read(ref backupStarted)) lock (acceptedBefore) acceptedBefore.Add(eventId);
            }
        });
        while (true) { lock (acceptedBefore) if (acceptedBefore.Count >= 50) break; await Task.Delay(20); }

        Volatile.Write(ref backupStarted, true);
        var (code, output) = await ProcessRun.PortalCommandAsync("backup", copy, $"--ConnectionStrings:Portal=Data Source={database}");
        await stop.CancelAsync();
        await load;
        Assert.True(code == 0, output);
        Assert.Contains($"to {copy}", output);

        await using (var check = new SqliteConnection($"Data Source={copy};Mode=ReadOnly;Pooling=False"))
        {
            await check.OpenAsync();
            await using var integrity = check.CreateCommand();
            integrity.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", await integrity.ExecuteScalarAsync());
            await using var stored = check.CreateCommand();
            stored.CommandText = "SELECT \"EventId\" FROM \"WebhookEvents\"";
            var ids = new HashSet<string>();
            await using (var reader = await stored.ExecuteReaderAsync()) while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
            Assert.All(acceptedBefore, id => Assert.Contains(id, ids));
        }

        // restore: stop, put the copy in place, start
        await portal.KillAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(database + suffix);
        File.Copy(copy, database);
        await using var restored = await PortalProcess.StartAsync("restored", database, Settings);
        using var after = restored.CreateClient();
        Assert.Equal("Checkout down", JsonDocument.Parse(await after.GetStringAsync($"/api/objects/Case/records/{recordId}")).RootElement
            .GetProperty("fields").GetProperty("Subject").GetString());
        Assert.Contains("Page support for high-priority cases", await after.GetStringAsync("/api/rulesets"));
        using var sameSession = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = restored.BaseUrl };
        foreach (Cookie cookie in cookies.GetAllCookies()) cookies.Add(restored.BaseUrl, new Cookie(cookie.Name, cookie.Value, "/"));
        Assert.Equal(HttpStatusCode.OK, (await sameSession.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task AnUpgradeCopiesTheDatabaseBesideItselfFirstAndKeepsTheNewestThree()
    {
        var database = Path.Combine(_folder, "portal.db");
        var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={database}").Options;
        string previous;
        await using (var db = new PortalDbContext(options))
        {
            var all = db.Database.GetMigrations().ToList();
            previous = all[^2];
            await db.GetService<IMigrator>().MigrateAsync(previous); // as a database of the release before
        }
        for (var i = 0; i < 3; i++) await File.WriteAllTextAsync(Path.Combine(_folder, $"portal.db.upgrade-2020010100000{i}-old.bak"), "older");

        await new DatabaseMigrator(new Contexts(options)).MigrateAsync();

        var backups = Directory.GetFiles(_folder, "portal.db.upgrade-*.bak").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, backups.Count);
        Assert.DoesNotContain("portal.db.upgrade-20200101000000-old.bak", backups);
        var newest = Path.Combine(_folder, backups[^1]!);
        await using var copy = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={newest};Pooling=False").Options);
        Assert.Equal(previous, (await copy.Database.GetAppliedMigrationsAsync()).Last()); // the copy is the database as it was
        await using var upgraded = new PortalDbContext(options);
        Assert.Empty(await upgraded.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task ANewDatabaseNeedsNoUpgradeCopy()
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={Path.Combine(_folder, "portal.db")}").Options;
        await new DatabaseMigrator(new Contexts(options)).MigrateAsync();
        Assert.Empty(Directory.GetFiles(_folder, "*.bak"));
    }

    private sealed class Contexts(DbContextOptions<PortalDbContext> options) : IDbContextFactory<PortalDbContext>
    {
        public PortalDbContext CreateDbContext() => new(options);
    }
}

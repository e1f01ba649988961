using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using Portal.Tests.Webhooks;

namespace Portal.Tests.Persistence;

/// `/readyz` tells the truth about the database, and the intake never answers 202 for a delivery it cannot keep.
public sealed class ReadinessTests : IDisposable
{
    private const string Secret = "readiness-test-webhook-secret";
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-readiness-tests.").FullName;
    private string Database => Path.Combine(_folder, "portal.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private static readonly Dictionary<string, string> Settings = new() { ["PagerDuty__WebhookSecrets__0"] = Secret };

    private static HttpRequestMessage Delivery(string eventId) => SignedDelivery.Triggered(eventId, Secret);

    /// `/readyz` once its cached probe (1 s) has had its time: polled, never a fixed sleep.
    private static async Task<HttpResponseMessage> ReadyzOnceItNoticesAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var answer = await http.GetAsync("/readyz");
            if (answer.StatusCode != HttpStatusCode.OK || DateTime.UtcNow > deadline) return answer;
            answer.Dispose();
            await Task.Delay(100);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ADeletedOrReplacedDatabaseFileIsNotReadyAndTheIntakeRefusesInsteadOfLosingTheDelivery(bool replaced)
    {
        await using var portal = await PortalProcess.StartAsync("portal", Database, Settings);
        using var http = portal.CreateClient();
        using (var first = await http.SendAsync(Delivery("READY000001"))) Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

        if (replaced)
        {
            var other = Path.Combine(_folder, "other.db");
            File.Copy(Database, other);
            File.Move(other, Database, overwrite: true);
        }
        else
        {
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(Database + suffix);
        }

        using var ready = await ReadyzOnceItNoticesAsync(http);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        // a deleted file may be made again, empty, by the next connection SQLite opens: then it reads as replaced
        Assert.Matches(replaced ? "was replaced since the portal opened it" : "is gone|was replaced since the portal opened it",
            await ready.Content.ReadAsStringAsync());
        using var refused = await http.SendAsync(Delivery("READY000002"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode); // PagerDuty delivers it again later
    }

    [Fact]
    public async Task AStartIsRefusedWithTheFileNamedWhenTheSharedMemoryFileCannotBeWritten()
    {
        await using (var first = await PortalProcess.StartAsync("first", Database, Settings)) await first.KillAsync();
        SqliteConnection.ClearAllPools();
        File.Delete(Database + "-shm");
        Directory.CreateDirectory(Database + "-shm"); // cannot be opened for writing, even by root

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => PortalProcess.StartAsync("second", Database, Settings));

        Assert.Contains($"The database file {Database}-shm cannot be written", refused.Message, StringComparison.Ordinal);
        Assert.Contains("exited with 1", refused.Message, StringComparison.Ordinal);
    }
}

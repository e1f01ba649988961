using System.Text.RegularExpressions;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.EndToEnd;

/// The build an operator deploys: `dotnet publish Portal -c Release -o out`, then `dotnet out/Portal.dll`.
public sealed partial class PublishedBuildTests
{
    [Fact]
    public async Task APublishedBuildStartedFromAnywhereRunsWithTheRepositorysSettingsAndKeepsItsDatabaseBesideThem()
    {
        var root = Path.Combine(Path.GetTempPath(), "portal-publish-tests", Guid.NewGuid().ToString("n"));
        var output = Path.Combine(root, "out");
        var elsewhere = Directory.CreateDirectory(Path.Combine(root, "elsewhere")).FullName;
        try
        {
            await PublishAsync(output);
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "appsettings.json")),
                await File.ReadAllTextAsync(Path.Combine(output, "appsettings.json")));

            await using var portal = await PortalProcess.StartAsync("published", databaseFile: null, new Dictionary<string, string>(),
                dll: Path.Combine(output, "Portal.dll"), workingDirectory: elsewhere);
            using var http = portal.CreateClient();
            Assert.True((await http.GetAsync("/healthz")).IsSuccessStatusCode);
            // the console timestamps' format is given by appsettings.json alone
            Assert.Matches(SettingsTimestamp(), portal.Output);
            // its static files are served from the published wwwroot
            Assert.True((await http.GetAsync("/app.css")).IsSuccessStatusCode);
            // the default `Data Source=portal.db` is the content root's, not the working directory's
            Assert.True(File.Exists(Path.Combine(output, "portal.db")));
            Assert.False(File.Exists(Path.Combine(elsewhere, "portal.db")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } // a killed process may still hold a file
        }
    }

    private static async Task PublishAsync(string output)
    {
        var (code, printed) = await ProcessRun.RunAsync(PortalProcess.DotnetHost(),
            ["publish", "Portal", "-c", "Release", "-o", output, "-nologo", "-v:q", "-m:1"], RepoPaths.Root);
        Assert.True(code == 0, $"dotnet publish failed:\n{printed}");
    }

    [GeneratedRegex(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC ")]
    private static partial Regex SettingsTimestamp();
}

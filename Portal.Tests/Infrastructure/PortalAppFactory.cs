using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;

namespace Portal.Tests.Infrastructure;

/// The real portal on a temporary SQLite file, reading the repository's own appsettings.json. Each role has a
/// configured API token (`TokenFor`), and an Administrator account exists unless `bootstrapAdmin` is false.
public class PortalAppFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@portal.test";
    public const string AdminPassword = "Admin-Passw0rd";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("n"));
    private readonly bool _bootstrapAdmin;
    private readonly Dictionary<string, string?> _settings;

    public PortalAppFactory(bool bootstrapAdmin = true, IDictionary<string, string?>? settings = null)
    {
        _bootstrapAdmin = bootstrapAdmin;
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        Directory.CreateDirectory(_folder);
    }

    public string DatabasePath => Path.Combine(_folder, "portal.db");

    public static string TokenFor(string role) => $"test-token-for-{role.ToLowerInvariant()}-0123456789";

    /// The server's address once `StartKestrel` ran.
    public string BaseUrl { get; private set; } = "";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(RepoPaths.Root);
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:Portal", $"Data Source={DatabasePath}");
        builder.UseSetting("Portal:SeedSampleData", "false");
        for (var i = 0; i < Roles.All.Count; i++)
        {
            builder.UseSetting($"ApiTokens:{i}:Name", $"{Roles.All[i]} test token");
            builder.UseSetting($"ApiTokens:{i}:Token", TokenFor(Roles.All[i]));
            builder.UseSetting($"ApiTokens:{i}:Role", Roles.All[i]);
        }
        if (_bootstrapAdmin)
        {
            builder.UseSetting("Authentication:BootstrapAdmin:Email", AdminEmail);
            builder.UseSetting("Authentication:BootstrapAdmin:Password", AdminPassword);
        }
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    public HttpClient CreateClientAs(string? role)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (role is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(role));
        return client;
    }

    /// Serves the portal on real Kestrel at a free loopback port, for the browser tests.
    public string StartKestrel()
    {
        UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return BaseUrl;
    }

    public async Task<T> WithServiceAsync<T, TService>(Func<TService, Task<T>> use) where TService : notnull =>
        await use(Services.GetRequiredService<TService>());

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

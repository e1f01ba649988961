namespace Portal;

/// Where the portal finds its settings and its static files, however it is started.
/// - `dotnet run --project Portal` starts in the repository root (`RunWorkingDirectory`): the content root is the
///   repository, whose `appsettings.json` is the one file of settings; static files come from the build's manifest.
/// - A published build (`dotnet publish Portal -c Release -o out`) holds a copy of that file and its `wwwroot`:
///   `dotnet out/Portal.dll` started where there is an `appsettings.json` (the repository root, or a service's working
///   directory) reads that one; started anywhere else it reads its own copy. Static files come from its `wwwroot`.
/// An explicit `--contentRoot` or `ASPNETCORE_CONTENTROOT` is left alone.
public static class PortalHost
{
    public const string SettingsFile = "appsettings.json";

    public static WebApplicationOptions Options(string[] args)
    {
        if (ContentRootGiven(args)) return new WebApplicationOptions { Args = args };
        var current = Directory.GetCurrentDirectory();
        var own = AppContext.BaseDirectory;
        var contentRoot = File.Exists(Path.Combine(current, SettingsFile)) || !File.Exists(Path.Combine(own, SettingsFile)) ? current : own;
        var publishedWebRoot = Path.Combine(own, "wwwroot");
        return new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = contentRoot,
            WebRootPath = Directory.Exists(publishedWebRoot) ? publishedWebRoot : null,
        };
    }

    private static bool ContentRootGiven(string[] args) =>
        args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
}

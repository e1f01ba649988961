using MudBlazor.Services;
using Portal;
using Portal.Components;
using Portal.Core.Dispatch;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Endpoints;
using Portal.Security;
using Portal.Telemetry;

if (PortalCommands.IsCommand(args)) return await PortalCommands.RunAsync(args);

WebApplication app;
try
{
    var builder = WebApplication.CreateBuilder(PortalHost.Options(args));
    // MudBlazor's and the framework's assets are served from their packages whatever the environment.
    builder.WebHost.UseStaticWebAssets();

    builder.AddPersistence();
    builder.AddPortalSecurity();
    builder.AddRecords();
    builder.AddRulesets();
    builder.AddPagerDuty();
    builder.AddTelemetry();
    builder.Services.AddProblemDetails();
    builder.Services.AddExceptionHandler<ApiExceptionHandler>();
    builder.Services.AddMudServices();
    // One input event carries a whole field's value: a text field at its limit (RecordValues.MaxTextLength UTF-16
    // units, up to 6 bytes each once JSON-escaped) must reach the server without dropping the circuit.
    builder.Services.AddRazorComponents().AddInteractiveServerComponents()
        .AddHubOptions(o => o.MaximumReceiveMessageSize = RecordValues.MaxTextLength * 6 + 64 * 1024);

    app = builder.Build();

    // a bad setting stops the start here, with a message naming it, before the database is touched
    app.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
    app.Logger.LogKeyRing(app.Configuration);
    await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
    await app.EnsureBootstrapAdministratorAsync();
    await app.Services.GetRequiredService<SampleData>().SeedAsync();
}
catch (Exception e) when (e is Microsoft.Extensions.Options.OptionsValidationException or Portal.Core.PortalStartupException
    && System.Reflection.Assembly.GetEntryAssembly() == typeof(Program).Assembly)
{
    // a refused start says why in its own words, not under a stack trace (a test host gets the exception itself)
    await Console.Error.WriteLineAsync($"Portal did not start: {e.Message}");
    return 1;
}

app.UseSecurityHeaders();
// HTTPS requests (direct, or through a TLS proxy whose X-Forwarded-Proto is honoured with
// ASPNETCORE_FORWARDEDHEADERS_ENABLED=true) are told to stay on HTTPS; plain HTTP and localhost are left alone
app.UseHsts();
// An address with no page (or another bare error status) shows the portal's own page, keeping the status code. It
// runs outside the API's status code pages, which have already given an API answer its problem body by then.
app.UseStatusCodePagesWithReExecute("/not-found", "?status={0}", createScopeForStatusCodePages: true);
// API callers get problem details and never a stack trace; browsers get the error page.
app.UseWhen(IsApi, api => api.UseExceptionHandler().UseStatusCodePages());
app.UseWhen(c => !IsApi(c), pages => pages.UseExceptionHandler("/error", createScopeForErrors: true));
app.UseAuthentication();
// a write to /api/* that the sign-in cookie authenticates must come from the portal's own pages
app.UseSameOriginApiWrites();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapHealthEndpoints();
app.MapAccountEndpoints();
app.MapMeEndpoints();
app.MapObjectEndpoints();
app.MapRulesetEndpoints();
app.MapWebhookEndpoints();
app.MapLogEndpoints();
app.MapMetricsEndpoints();
// Our own Content-Security-Policy already says frame-ancestors 'none'; Blazor would add a second, looser one.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);

app.Run();
return 0;

static bool IsApi(HttpContext context) => SecurityExtensions.IsMachinePath(context.Request.Path);

public partial class Program;

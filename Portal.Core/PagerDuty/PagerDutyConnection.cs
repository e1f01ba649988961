using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Sandbox;
using Portal.Core.Security;
using Portal.Core.Settings;

namespace Portal.Core.PagerDuty;

/// The API key and region entered on the Summary tab. The key is encrypted with Data Protection and only its last
/// four characters are ever shown.
public sealed record ConnectionSettings
{
    public const string Key = "pagerduty.connection";

    public string? EncryptedApiKey { get; init; }
    public string? ApiKeyLast4 { get; init; }
    public string Region { get; init; } = "US";
}

public sealed record ConnectionStatus(PagerDutyMode Mode, string Region, Uri BaseUrl, string? ApiKeyLast4, bool KeyFromConfiguration, string? FromEmail,
    bool FromEmailFromConfiguration);

/// Which PagerDuty Portal talks to (the sandbox, or the live API with which key), and as whom (`From`).
public sealed class PagerDutyConnection(
    IOptionsMonitor<PagerDutyOptions> options,
    SettingsStore settings,
    IDataProtectionProvider dataProtection,
    SandboxPagerDuty sandbox,
    Logging.IntegrationLog log,
    IHttpClientFactory httpClients,
    ILogger<PagerDutyConnection> logger,
    AccessCheck access)
{
    public const string SandboxFromEmail = "portal@sandbox.portal.invalid";
    public const string HttpClientName = "PagerDuty";
    private readonly StoredSecret _apiKey = new(dataProtection.CreateProtector("Portal.PagerDuty.ApiKey"), logger, "PagerDuty API key");

    // a saved or forgotten key is a saved setting: pages and the dashboard hear `SettingChanged` for `ConnectionSettings.Key`

    public async Task<ConnectionStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        var configured = options.CurrentValue;
        var stored = await StoredAsync(cancellationToken);
        var keyFromConfiguration = !string.IsNullOrWhiteSpace(configured.ApiKey);
        var apiKey = keyFromConfiguration ? configured.ApiKey : _apiKey.Unprotect(stored.EncryptedApiKey);
        var region = string.IsNullOrWhiteSpace(configured.BaseUrl) && stored.EncryptedApiKey is not null && !keyFromConfiguration ? stored.Region : configured.Region;
        var effective = new PagerDutyOptions { Mode = configured.Mode, Region = region, BaseUrl = configured.BaseUrl, ApiKey = apiKey };
        var mode = effective.ResolveMode();
        var from = await FromEmailAsync(mode, cancellationToken);
        return new ConnectionStatus(mode, region, effective.ResolveBaseUrl(), apiKey is null ? null : Last4(apiKey), keyFromConfiguration, from,
            !string.IsNullOrWhiteSpace(configured.FromEmail));
    }

    /// The client for the mode in force.
    public async Task<IPagerDuty> ClientAsync(CancellationToken cancellationToken = default)
    {
        var status = await StatusAsync(cancellationToken);
        if (status.Mode == PagerDutyMode.Sandbox) return sandbox;
        var http = httpClients.CreateClient(HttpClientName);
        http.BaseAddress = status.BaseUrl;
        return new LivePagerDuty(http, ApiKeyAsync);
    }

    /// The client for a key that is not saved yet (the Summary tab's "Test connection").
    public IPagerDuty ClientFor(string apiKey, string region)
    {
        var http = httpClients.CreateClient(HttpClientName);
        http.BaseAddress = new PagerDutyOptions { Region = region, BaseUrl = options.CurrentValue.BaseUrl }.ResolveBaseUrl();
        return new LivePagerDuty(http, _ => Task.FromResult<string?>(apiKey));
    }

    public async Task<string?> ApiKeyAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(options.CurrentValue.ApiKey)) return options.CurrentValue.ApiKey;
        return _apiKey.Unprotect((await StoredAsync(cancellationToken)).EncryptedApiKey);
    }

    /// The integration user's e-mail sent as `From`: `PagerDuty:FromEmail`, else the Object Mappings setting; the
    /// sandbox accepts its own address when none is set.
    public async Task<string?> FromEmailAsync(PagerDutyMode mode, CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrWhiteSpace(options.CurrentValue.FromEmail)) return options.CurrentValue.FromEmail;
        var integration = await settings.GetAsync(IntegrationSettings.Key, () => new IntegrationSettings(), cancellationToken);
        return integration.IntegrationEmail ?? (mode == PagerDutyMode.Sandbox ? SandboxFromEmail : null);
    }

    /// Connecting PagerDuty is config.write, checked for the caller now (AccessCheck); the unchecked overloads are for tests.
    public async Task SaveAsync(string apiKey, string region, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await SaveAsync(apiKey, region, (await access.DemandAsync(by, Permissions.ConfigWrite, cancellationToken)).Name, cancellationToken);

    internal async Task SaveAsync(string apiKey, string region, string savedBy, CancellationToken cancellationToken = default)
    {
        apiKey = apiKey.Trim();
        if (apiKey.Length < 8) throw new PortalValidationException("apiKey", "That does not look like a PagerDuty API key.");
        if (region is not ("US" or "EU")) throw new PortalValidationException("region", "Choose US or EU.");
        await settings.SaveAsync(ConnectionSettings.Key, new ConnectionSettings
        {
            EncryptedApiKey = _apiKey.Protect(apiKey), ApiKeyLast4 = Last4(apiKey), Region = region,
        }, savedBy, log.AuditEntry($"PagerDuty API key ending in {Last4(apiKey)} saved by {savedBy} (region {region}); Portal is live"), cancellationToken);
    }

    public async Task ForgetAsync(ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await ForgetAsync((await access.DemandAsync(by, Permissions.ConfigWrite, cancellationToken)).Name, cancellationToken);

    internal async Task ForgetAsync(string by, CancellationToken cancellationToken = default)
    {
        await settings.SaveAsync(ConnectionSettings.Key, new ConnectionSettings(), by,
            log.AuditEntry($"PagerDuty API key forgotten by {by}; Portal is back on the sandbox"), cancellationToken);
    }

    private Task<ConnectionSettings> StoredAsync(CancellationToken cancellationToken) =>
        settings.GetAsync(ConnectionSettings.Key, () => new ConnectionSettings(), cancellationToken);

    private static string Last4(string key) => key.Length <= 4 ? "****" : key[^4..];
}

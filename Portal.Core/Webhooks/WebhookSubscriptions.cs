using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using LogLevel = Portal.Core.Logging.LogLevel;
using Portal.Core.Logging;
using Portal.Core.PagerDuty;
using Portal.Core.Security;
using Portal.Core.Settings;

namespace Portal.Core.Webhooks;

/// The subscription Portal created, with its signing secret encrypted (PagerDuty shows the secret only once).
public sealed record StoredSubscription
{
    public const string Key = "webhooks.subscription";
    public string? Id { get; init; }
    public string? Url { get; init; }
    public string FilterType { get; init; } = "account_reference";
    public string? FilterId { get; init; }
    public string? EncryptedSecret { get; init; }
    public string? PublicUrl { get; init; }
    public DateTime? CreatedUtc { get; init; }
}

public sealed record SubscriptionStatus(string? PublicUrl, bool PublicUrlFromConfiguration, StoredSubscription Stored, PdWebhookSubscription? Live,
    IReadOnlyList<PdWebhookSubscription> Others, string? Error);

/// The Webhooks tab: subscribe to PagerDuty Webhooks v3, see the subscription's state, re-enable it, send a test,
/// remove it, and remove other subscriptions that point at this portal so that no event arrives twice. Each change is
/// config.write, checked for the caller now (AccessCheck) before PagerDuty hears of it; the unchecked overloads are for tests.
public sealed class WebhookSubscriptions(
    PagerDutyConnection connection, SettingsStore settings, IConfiguration configuration, IDataProtectionProvider dataProtection, IntegrationLog log,
    TimeProvider clock, ILogger<WebhookSubscriptions> logger, AccessCheck access, Notifications.ChangeNotifier notifier)
{
    public static readonly IReadOnlyList<string> Events =
    [
        "incident.triggered", "incident.acknowledged", "incident.unacknowledged", "incident.resolved", "incident.reopened", "incident.reassigned",
        "incident.escalated", "incident.delegated", "incident.annotated", "incident.priority_updated", "incident.responder.added",
        "incident.status_update_published",
    ];

    private readonly StoredSecret _secret = new(dataProtection.CreateProtector("Portal.Webhooks.Secret"), logger, "webhook signing secret");
    private volatile IReadOnlyList<string>? _secrets;
    private int _watching;

    /// The stored subscription's signing secret, decrypted once and kept in memory for the intake's hot path.
    public IReadOnlyList<string> StoredSecrets()
    {
        // saved here or by another instance (`SettingsStore` announces what `ConfigGenerations` found): decrypted again when next used
        if (Interlocked.Exchange(ref _watching, 1) == 0)
            notifier.Subscribe<Notifications.SettingChanged>(setting => { if (setting.Key == StoredSubscription.Key) _secrets = null; });
        if (_secrets is { } cached) return cached;
        var stored = settings.GetAsync(StoredSubscription.Key, () => new StoredSubscription()).GetAwaiter().GetResult();
        return _secrets = _secret.Unprotect(stored.EncryptedSecret) is { } secret ? [secret] : [];
    }

    public async Task<SubscriptionStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        var stored = await settings.GetAsync(StoredSubscription.Key, () => new StoredSubscription(), cancellationToken);
        var configured = configuration["Portal:PublicUrl"];
        var publicUrl = string.IsNullOrWhiteSpace(configured) ? stored.PublicUrl : configured;
        try
        {
            var all = await (await connection.ClientAsync(cancellationToken)).ListWebhookSubscriptionsAsync(cancellationToken);
            var endpoint = publicUrl is null ? null : EndpointFor(publicUrl);
            return new SubscriptionStatus(publicUrl, !string.IsNullOrWhiteSpace(configured), stored, all.FirstOrDefault(s => s.Id == stored.Id),
                all.Where(s => s.Id != stored.Id && endpoint is not null && string.Equals(s.Url, endpoint, StringComparison.OrdinalIgnoreCase)).ToList(), null);
        }
        catch (PagerDutyException e)
        {
            return new SubscriptionStatus(publicUrl, !string.IsNullOrWhiteSpace(configured), stored, null, [], e.Describe());
        }
    }

    public static string EndpointFor(string publicUrl) => publicUrl.TrimEnd('/') + "/api/webhooks/pagerduty";

    public async Task<PdWebhookSubscription> SubscribeAsync(string publicUrl, string filterType, string? filterId, ClaimsPrincipal by,
        CancellationToken cancellationToken = default) =>
        await SubscribeAsync(publicUrl, filterType, filterId, await ConfigWriterAsync(by, cancellationToken), cancellationToken);

    internal async Task<PdWebhookSubscription> SubscribeAsync(string publicUrl, string filterType, string? filterId, string by, CancellationToken cancellationToken = default)
    {
        if (!Uri.TryCreate(publicUrl?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            throw new PortalValidationException("publicUrl", "Enter the portal's public address, e.g. https://portal.example.com.");
        if (filterType is not ("account_reference" or "service_reference" or "team_reference"))
            throw new PortalValidationException("filterType", "Choose the account, a service or a team.");
        if (filterType != "account_reference" && string.IsNullOrWhiteSpace(filterId))
            throw new PortalValidationException("filterId", "Give the id of the service or team.");
        var client = await connection.ClientAsync(cancellationToken);
        var created = await client.CreateWebhookSubscriptionAsync(EndpointFor(uri.ToString()), filterType, filterId?.Trim(), Events, cancellationToken);
        await settings.SaveAsync(StoredSubscription.Key, new StoredSubscription
        {
            Id = created.Id, Url = created.Url, FilterType = filterType, FilterId = filterId?.Trim(), PublicUrl = uri.ToString().TrimEnd('/'),
            EncryptedSecret = created.Secret is null ? null : _secret.Protect(created.Secret), CreatedUtc = clock.GetUtcNow().UtcDateTime,
        }, by, log.AuditEntry($"{by} subscribed to PagerDuty webhooks ({created.Id}, {filterType}) for {created.Url}",
            new { created.Id, created.Url, filterType, filterId, secret = created.Secret is null ? "none" : "stored encrypted" }), cancellationToken);
        _secrets = null;
        return created;
    }

    public async Task EnableAsync(string id, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await EnableAsync(id, await ConfigWriterAsync(by, cancellationToken), cancellationToken);

    internal async Task EnableAsync(string id, string by, CancellationToken cancellationToken = default)
    {
        await (await connection.ClientAsync(cancellationToken)).EnableWebhookSubscriptionAsync(id, cancellationToken);
        // the change is PagerDuty's alone: nothing of Portal's is stored with it
        await log.AuditAsync($"{by} re-enabled the webhook subscription {id}", cancellationToken: cancellationToken);
    }

    public async Task PingAsync(string id, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await PingAsync(id, await ConfigWriterAsync(by, cancellationToken), cancellationToken);

    internal async Task PingAsync(string id, string by, CancellationToken cancellationToken = default)
    {
        await (await connection.ClientAsync(cancellationToken)).PingWebhookSubscriptionAsync(id, cancellationToken);
        log.Write(LogLevel.Info, LogCategories.Webhook, $"{by} asked PagerDuty to send a test event to subscription {id}");
    }

    public async Task RemoveAsync(string id, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await RemoveAsync(id, await ConfigWriterAsync(by, cancellationToken), cancellationToken);

    internal async Task RemoveAsync(string id, string by, CancellationToken cancellationToken = default)
    {
        var stored = await settings.GetAsync(StoredSubscription.Key, () => new StoredSubscription(), cancellationToken);
        var message = $"{by} removed the webhook subscription {id}";
        try
        {
            await (await connection.ClientAsync(cancellationToken)).DeleteWebhookSubscriptionAsync(id, cancellationToken);
        }
        catch (PagerDutyException e) when (e.StatusCode == 404 && stored.Id == id)
        {
            // gone already (removed in PagerDuty, or made in the sandbox before a live key was entered, or the other way
            // round): Portal forgets it, or it could never subscribe again
            message += " (PagerDuty no longer had it)";
        }
        if (stored.Id == id)
        {
            // forgetting the subscription and its secret, and the audit entry, commit together
            await settings.SaveAsync(StoredSubscription.Key, new StoredSubscription { PublicUrl = stored.PublicUrl }, by, log.AuditEntry(message), cancellationToken);
            _secrets = null;
        }
        else
        {
            await log.AuditAsync(message, cancellationToken: cancellationToken);
        }
    }

    private async Task<string> ConfigWriterAsync(ClaimsPrincipal by, CancellationToken cancellationToken) =>
        (await access.DemandAsync(by, Permissions.ConfigWrite, cancellationToken)).Name;
}

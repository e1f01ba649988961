using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.PagerDuty;
using Portal.Core.Security;
using Portal.Core.Webhooks;

namespace Portal.Core.Sandbox;

/// The sandbox account's Webhooks v3 subscriptions, kept in the portal's database as PagerDuty keeps them: made with a
/// signing secret that is shown once, listed, re-enabled, removed, and pinged. A ping is a `pagey.ping` signed with the
/// subscription's secret and handed to the intake as the body of a delivery, so it is checked, answered and logged
/// like one from PagerDuty. The sandbox's incident events do not wait for a subscription: they are stored with the
/// change that raised them (`SaveAsync`), so rules on PagerDuty events work before anyone subscribes.
public sealed partial class SandboxPagerDuty
{
    private StoredSecret? _signingSecrets;

    private StoredSecret SigningSecrets =>
        _signingSecrets ??= new(dataProtection.CreateProtector("Portal.Sandbox.WebhookSecret"), logger, "sandbox webhook signing secret");

    public async Task<PdWebhookSubscription> CreateWebhookSubscriptionAsync(string url, string filterType, string? filterId, IReadOnlyList<string> events,
        CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")) throw Invalid($"Delivery method url {url} is not a valid URL.");
        if (filterType is not ("account_reference" or "service_reference" or "team_reference")) throw Invalid($"Filter type {filterType} is not valid.");
        if (filterType == "service_reference" && SandboxAccount.Name(SandboxAccount.Services, filterId) is null) throw Invalid($"Service {filterId} not found.");
        if (filterType == "team_reference") throw Invalid($"Team {filterId} not found.");
        if (events.Count == 0) throw Invalid("Events can't be empty.");

        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var subscription = new SandboxWebhookSubscriptionEntity
        {
            Id = NewId("PSBXW"), Url = url, FilterType = filterType, FilterId = filterType == "account_reference" ? null : filterId,
            EncryptedSecret = SigningSecrets.Protect(secret), EventsJson = JsonSerializer.Serialize(events), CreatedUtc = clock.GetUtcNow().UtcDateTime,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.SandboxWebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        return ToSubscription(subscription) with { Secret = secret };
    }

    public async Task<IReadOnlyList<PdWebhookSubscription>> ListWebhookSubscriptionsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await db.SandboxWebhookSubscriptions.AsNoTracking().OrderBy(s => s.CreatedUtc).ToListAsync(cancellationToken)).Select(ToSubscription).ToList();
    }

    // the sandbox never disables a subscription, so there is nothing to turn back on; an unknown one is PagerDuty's 404
    public async Task EnableWebhookSubscriptionAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await FindSubscriptionAsync(db, id, cancellationToken);
    }

    public async Task DeleteWebhookSubscriptionAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.SandboxWebhookSubscriptions.Remove(await FindSubscriptionAsync(db, id, cancellationToken));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task PingWebhookSubscriptionAsync(string id, CancellationToken cancellationToken)
    {
        SandboxWebhookSubscriptionEntity subscription;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            subscription = await FindSubscriptionAsync(db, id, cancellationToken);
        var secret = SigningSecrets.Unprotect(subscription.EncryptedSecret)
            ?? throw new PagerDutyException(500, "The sandbox cannot read this subscription's signing secret (the Data Protection keys changed); remove it and subscribe again.");
        var body = Encoding.UTF8.GetBytes(SandboxWebhooks.Ping(NewId("01"), clock.GetUtcNow()));
        // the intake is resolved here, not injected: it reaches the sandbox through the webhook subscriptions and the connection
        await services.GetRequiredService<WebhookIntake>().AcceptAsync(body, WebhookSignature.Sign(body, secret), NewId("PSBXD"), cancellationToken);
    }

    private static async Task<SandboxWebhookSubscriptionEntity> FindSubscriptionAsync(Persistence.PortalDbContext db, string id, CancellationToken cancellationToken) =>
        await db.SandboxWebhookSubscriptions.FirstOrDefaultAsync(s => s.Id == id, cancellationToken)
        ?? throw new PagerDutyException(404, "Not Found", 2100, [$"Webhook subscription {id} not found."]);

    private static PdWebhookSubscription ToSubscription(SandboxWebhookSubscriptionEntity s) =>
        new(s.Id, s.Url, s.FilterType, s.FilterId, true, false, JsonSerializer.Deserialize<List<string>>(s.EventsJson) ?? []);
}

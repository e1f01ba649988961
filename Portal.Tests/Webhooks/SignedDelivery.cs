using System.Text;
using Portal.Core.Webhooks;

namespace Portal.Tests.Webhooks;

/// The captured `incident.triggered` delivery as a new event (`eventId`), signed with `secret`, ready to post.
public static class SignedDelivery
{
    public static HttpRequestMessage Triggered(string eventId, string secret)
    {
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(WebhookIntakeTests.Capture("incident.triggered"))
            .Replace("01FKZSRAPTMF55RE69G8BQHGC6", eventId, StringComparison.Ordinal));
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/pagerduty") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-PagerDuty-Signature", WebhookSignature.Sign(body, secret));
        return request;
    }
}

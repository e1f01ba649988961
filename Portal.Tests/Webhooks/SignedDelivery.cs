using System.Text;
using System.Text.Json.Nodes;
using Portal.Core.Webhooks;

namespace Portal.Tests.Webhooks;

/// Captured deliveries as new events, signed with `secret`, ready to post.
public static class SignedDelivery
{
    /// The captured `incident.triggered` delivery as the event `eventId`.
    public static HttpRequestMessage Triggered(string eventId, string secret) =>
        Signed(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(WebhookIntakeTests.Capture("incident.triggered"))
            .Replace("01FKZSRAPTMF55RE69G8BQHGC6", eventId, StringComparison.Ordinal)), secret);

    /// The captured delivery `capture` (`incident.acknowledged`, say) as the event `eventId` about `incidentId`,
    /// occurring at `occurredUtc`.
    public static byte[] About(string capture, string eventId, string incidentId, DateTime occurredUtc)
    {
        var body = JsonNode.Parse(WebhookIntakeTests.Capture(capture))!;
        body["event"]!["id"] = eventId;
        body["event"]!["occurred_at"] = occurredUtc.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        body["event"]!["data"]!["id"] = incidentId;
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    public static HttpRequestMessage Signed(byte[] body, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/pagerduty") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-PagerDuty-Signature", WebhookSignature.Sign(body, secret));
        return request;
    }
}

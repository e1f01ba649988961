using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Links;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Webhooks;

/// Deliveries through the HTTP intake, stored, then processed by the background service into rules and comments.
public sealed class WebhookProcessingTests : IDisposable
{
    private const string Secret = "HvPtlQNKMPpHSSqJpCdndXfo7HnGXa1pnH6w5axpxLFn9aRBNBGh4e8/HlonK5mz";
    private readonly PortalAppFactory _factory = new(settings: new Dictionary<string, string?> { ["PagerDuty:WebhookSecrets:0"] = Secret });

    public void Dispose() => _factory.Dispose();

    private async Task DeliverAsync(string name)
    {
        using var client = _factory.CreateClientAs(null);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/pagerduty") { Content = new ByteArrayContent(WebhookIntakeTests.Capture(name)) };
        request.Headers.Add("X-PagerDuty-Signature", WebhookIntakeTests.PublishedSignature(name));
        request.Headers.Add("X-Webhook-Id", Guid.NewGuid().ToString());
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// Processing runs after the answer; wait for it, within a bound.
    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe) where T : class
    {
        for (var i = 0; i < 100; i++)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(100);
        }
        throw new TimeoutException("The webhook was not processed within 10 s.");
    }

    [Fact]
    public async Task CreatesACaseForATriggeredIncidentThenMirrorsAcknowledgeAndBringsTheNoteBack()
    {
        await _factory.Services.GetRequiredService<RulesetStore>().SaveAsync("""
            {"schemaVersion":1,"rulesets":[{"name":"PD > SFDC","enabled":true,"rules":[
              {"name":"Case for the webhook tester","object":"Case","runOn":"pagerDutyIncidentCreateOrUpdate","when":"all",
               "conditions":[{"field":"pd.service","operator":"equals","value":"PNE3JZM"}],"executeFor":"newOnly",
               "actions":[{"type":"createRecord","fields":{"Subject":"PagerDuty #{{pd.incidentNumber}}: {{pd.incidentTitle}}","Status":"New"}}]},
              {"name":"Mirror","object":"Case","runOn":"pagerDutyIncidentCreateOrUpdate","when":"any",
               "conditions":[{"field":"pd.eventType","operator":"in","value":["acknowledge","resolve"]}],"executeFor":"allLinked",
               "actions":[{"type":"setField","field":"Status","value":"{{pd.incidentStatus}}"}]}]}]}
            """, "admin");
        var links = _factory.Services.GetRequiredService<IncidentLinks>();
        var records = _factory.Services.GetRequiredService<RecordStore>();

        await DeliverAsync("incident.triggered");
        var link = await EventuallyAsync(async () => (await links.ForIncidentAsync("Q2CKYRLH85UNN4")).FirstOrDefault());
        var record = await records.GetAsync("Case", link.RecordId);
        Assert.Equal("PagerDuty #37: Test", record.Fields["Subject"]!.GetValue<string>());
        Assert.Equal(("triggered", 37L, "PNE3JZM"), (link.Status, link.Number!.Value, link.ServiceId));

        await DeliverAsync("incident.acknowledged");
        await EventuallyAsync(async () => (await records.GetAsync("Case", link.RecordId)).Fields["Status"]?.GetValue<string>() == "acknowledged" ? "done" : null);

        await DeliverAsync("incident.annotated");
        var comment = await EventuallyAsync(async () => (await records.ListCommentsAsync("Case", link.RecordId)).FirstOrDefault());
        Assert.Equal("Resolution Note: I'm resolving it", comment.Body);
        Assert.Equal(CommentSources.PagerDuty, comment.Source);

        await DeliverAsync("incident.annotated"); // redelivered: not a second comment
        await DeliverAsync("incident.resolved");
        await EventuallyAsync(async () => (await records.GetAsync("Case", link.RecordId)).Fields["Status"]?.GetValue<string>() == "resolved" ? "done" : null);
        Assert.Single(await records.ListCommentsAsync("Case", link.RecordId));
        Assert.Single(await links.ForIncidentAsync("Q2CKYRLH85UNN4"));
    }
}

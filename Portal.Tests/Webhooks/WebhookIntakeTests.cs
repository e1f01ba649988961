using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Webhooks;

/// Contract section 5 with real deliveries captured from a PagerDuty account, byte for byte, and their published
/// signatures (TestData/signatures.json).
public sealed class WebhookIntakeTests : IDisposable
{
    private const string Secret = "HvPtlQNKMPpHSSqJpCdndXfo7HnGXa1pnH6w5axpxLFn9aRBNBGh4e8/HlonK5mz";
    private readonly PortalAppFactory _factory = new(settings: new Dictionary<string, string?> { ["PagerDuty:WebhookSecrets:0"] = "an-older-secret", ["PagerDuty:WebhookSecrets:1"] = Secret });

    public void Dispose() => _factory.Dispose();

    public static byte[] Capture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Webhooks", "TestData", $"aldaviva.{name}.json"));

    public static string PublishedSignature(string name)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Webhooks", "TestData", "signatures.json")));
        return manifest.RootElement.GetProperty("fixtures").EnumerateArray()
            .First(f => f.GetProperty("file").GetString() == $"aldaviva.{name}.json").GetProperty("x_pagerduty_signature").GetString()!; // the manifest lists a must-fail variant of the ping after the real one
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string? signature, string? webhookId = null)
    {
        using var client = _factory.CreateClientAs(null);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/pagerduty") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (signature is not null) request.Headers.TryAddWithoutValidation("X-PagerDuty-Signature", signature);
        if (webhookId is not null) request.Headers.Add("X-Webhook-Id", webhookId);
        return await client.SendAsync(request);
    }

    private async Task<List<WebhookEventEntity>> StoredAsync()
    {
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.WebhookEvents.AsNoTracking().ToListAsync();
    }

    [Fact]
    public void ReadsTheAssigneesAndTheCreationTimeTheConsoleShows()
    {
        using var body = JsonDocument.Parse(Capture("incident.triggered"));
        var facts = PagerDutyWebhookEvent.Parse(body.RootElement)!.Incident;
        Assert.Equal(["Ben"], facts.Assignees!);
        Assert.Equal(new DateTime(2025, 4, 7, 3, 47, 13, DateTimeKind.Utc), facts.CreatedUtc);
        Assert.Equal(DateTimeKind.Utc, facts.CreatedUtc!.Value.Kind);
    }

    [Theory]
    [InlineData("incident.triggered")]
    [InlineData("incident.acknowledged")]
    [InlineData("incident.resolved")]
    [InlineData("incident.annotated")]
    public async Task StoresEachCapturedDeliveryWithItsPublishedSignature(string name)
    {
        using var response = await PostAsync(Capture(name), PublishedSignature(name), Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stored = Assert.Single(await StoredAsync());
        Assert.Equal(name, stored.EventType);
        Assert.Equal("Q2CKYRLH85UNN4", stored.IncidentId);
    }

    [Fact]
    public void ComputesThePublishedSignatures()
    {
        foreach (var name in new[] { "incident.triggered", "incident.acknowledged", "incident.resolved", "incident.annotated", "pagey.ping" })
            Assert.Equal(PublishedSignature(name), WebhookSignature.Sign(Capture(name), Secret));
    }

    [Fact]
    public async Task AnswersAPingAndStoresNothing()
    {
        using var response = await PostAsync(Capture("pagey.ping"), PublishedSignature("pagey.ping"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(await StoredAsync());
    }

    [Fact]
    public async Task RefusesAFlippedByteWith403()
    {
        var body = Capture("incident.triggered");
        body[^10] ^= 0x01;
        using var response = await PostAsync(body, PublishedSignature("incident.triggered"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await StoredAsync());
    }

    [Fact]
    public async Task RefusesTheSignatureWithItsLastDigitChanged()
    {
        var signature = PublishedSignature("pagey.ping")[..^1] + "c";
        using var response = await PostAsync(Capture("pagey.ping"), signature);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AcceptsARotatedHeaderWithOneWrongAndOneRightSignature()
    {
        var right = PublishedSignature("incident.triggered");
        using var response = await PostAsync(Capture("incident.triggered"), $"v1={new string('0', 64)},{right}");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.BadRequest)]
    [InlineData("", HttpStatusCode.BadRequest)]
    [InlineData("v1=not-hex-at-all", HttpStatusCode.BadRequest)]
    [InlineData("garbage", HttpStatusCode.BadRequest)]
    public async Task RefusesAMissingOrMalformedHeaderWith400(string? header, HttpStatusCode expected)
    {
        using var response = await PostAsync(Capture("incident.triggered"), header);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task RefusesARightSignatureUnderAnotherVersionWith403()
    {
        var v0 = "v0=" + PublishedSignature("incident.triggered")[3..];
        using var response = await PostAsync(Capture("incident.triggered"), v0);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task RefusesAnEmptyBodyAndSignedNonJsonWith400()
    {
        using (var empty = await PostAsync([], WebhookSignature.Sign([], Secret))) Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var text = Encoding.UTF8.GetBytes("this is not json");
        using (var notJson = await PostAsync(text, WebhookSignature.Sign(text, Secret))) Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        var other = Encoding.UTF8.GetBytes("""{"message":"json, but not a webhook"}""");
        using (var notWebhook = await PostAsync(other, WebhookSignature.Sign(other, Secret))) Assert.Equal(HttpStatusCode.BadRequest, notWebhook.StatusCode);
    }

    [Fact]
    public async Task RefusesABodyOver256KiBWith413()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":{\"id\":\"x\",\"event_type\":\"incident.triggered\",\"data\":{\"title\":\"" + new string('a', 300 * 1024) + "\"}}}");
        using var response = await PostAsync(body, WebhookSignature.Sign(body, Secret));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task StoresTheSameEventOnceHoweverItIsDelivered()
    {
        var body = Capture("incident.acknowledged");
        var signature = PublishedSignature("incident.acknowledged");
        using (var first = await PostAsync(body, signature, "delivery-1")) Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using (var again = await PostAsync(body, signature, "delivery-1")) Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        using (var redelivered = await PostAsync(body, signature, "delivery-2")) Assert.Equal(HttpStatusCode.Accepted, redelivered.StatusCode);
        Assert.Single(await StoredAsync());
    }

    [Fact]
    public async Task StoresOneRowWhenTheSameEventArrivesManyTimesAtOnce()
    {
        var body = Capture("incident.resolved");
        var signature = PublishedSignature("incident.resolved");
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => PostAsync(body, signature, $"burst-{i}")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        foreach (var response in responses) response.Dispose();
        Assert.Single(await StoredAsync());
    }

    [Fact]
    public async Task Answers503WhenTheEventCannotBeStored()
    {
        await using (var db = await _factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
            await db.Database.ExecuteSqlRawAsync("DROP TABLE WebhookEvents");
        using var response = await PostAsync(Capture("incident.triggered"), PublishedSignature("incident.triggered"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task NeverAnswers5xxToRandomOrMutatedDeliveries()
    {
        var random = new Random(1234);
        var captures = new[] { "incident.triggered", "incident.resolved", "incident.annotated", "pagey.ping" }.Select(Capture).ToArray();
        using var client = _factory.CreateClientAs(null);
        for (var i = 0; i < 1500; i++)
        {
            var body = (byte[])captures[random.Next(captures.Length)].Clone();
            switch (random.Next(4))
            {
                case 0: body[random.Next(body.Length)] = (byte)random.Next(256); break;
                case 1: body = body[..random.Next(body.Length)]; break;
                case 2: random.NextBytes(body); break;
            }
            var signature = random.Next(3) switch
            {
                0 => WebhookSignature.Sign(body, Secret),
                1 => "v1=" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
                _ => new string((char)random.Next(33, 126), random.Next(0, 80)),
            };
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/pagerduty") { Content = new ByteArrayContent(body) };
            request.Headers.TryAddWithoutValidation("X-PagerDuty-Signature", signature);
            using var response = await client.SendAsync(request);
            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for delivery {i}");
        }
    }

    private string? _kestrel;

    /// A delivery of `size` bytes or so (the capture with a padding field), signed, sent on a raw socket in chunks of
    /// `chunk` bytes; returns the status line's code.
    private async Task<int> PostChunkedAsync(int size, int chunk)
    {
        var capture = Encoding.UTF8.GetString(Capture("incident.triggered"));
        var body = Encoding.UTF8.GetBytes(capture.Replace("{\"event\":{", "{\"event\":{\"pad\":\"" + new string('a', size - capture.Length) + "\",",
            StringComparison.Ordinal));
        var address = new Uri(_kestrel ??= _factory.StartKestrel());
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(address.Host, address.Port);
        await using var stream = socket.GetStream();
        var request = new MemoryStream();
        request.Write(Encoding.ASCII.GetBytes("POST /api/webhooks/pagerduty HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\n" +
            $"X-PagerDuty-Signature: {Core.Webhooks.WebhookSignature.Sign(body, Secret)}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"));
        for (var i = 0; i < body.Length; i += chunk)
        {
            var length = Math.Min(chunk, body.Length - i);
            request.Write(Encoding.ASCII.GetBytes($"{length:x}\r\n"));
            request.Write(body, i, length);
            request.Write("\r\n"u8);
        }
        request.Write("0\r\n\r\n"u8);
        await stream.WriteAsync(request.ToArray());
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var status = await reader.ReadLineAsync();
        return int.Parse(status!.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task AChunkedBodyIsMeasuredByItsOwnBytesNotItsFraming()
    {
        // 150 KiB in 1-byte chunks is about 900 KiB on the wire: the body is what counts
        Assert.Equal(202, await PostChunkedAsync(150 * 1024, chunk: 1));
        Assert.Equal(413, await PostChunkedAsync(WebhookIntake.MaxBodyBytes + 1024, chunk: 4096));
    }
}

using System.Threading.Channels;

namespace Portal.Core.Webhooks;

/// Incident events raised inside the portal (the sandbox account), handed to the same processing as PagerDuty's
/// webhooks. In memory: an event raised just before the process stops is lost, as a sandbox may afford.
public sealed class IncidentEventQueue
{
    private readonly Channel<PagerDutyWebhookEvent> _events = Channel.CreateUnbounded<PagerDutyWebhookEvent>(new UnboundedChannelOptions { SingleReader = true });

    public void Publish(PagerDutyWebhookEvent e) => _events.Writer.TryWrite(e);

    public bool TryRead(out PagerDutyWebhookEvent e) => _events.Reader.TryRead(out e!);

    public IAsyncEnumerable<PagerDutyWebhookEvent> ReadAllAsync(CancellationToken cancellationToken) => _events.Reader.ReadAllAsync(cancellationToken);
}

namespace Portal.Core;

/// This process among the portal's processes: its id is recorded on every claim it makes (planned actions), so that
/// work claimed by a process that is gone can be told from this one's and taken back.
public sealed class PortalInstance
{
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("n")[..8]}";

    public DateTime StartedUtc { get; } = DateTime.UtcNow;
}

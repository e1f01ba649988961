namespace Portal.Core.PagerDuty;

public sealed record PagerDutyLists(IReadOnlyList<PdReference> Services, IReadOnlyList<PdReference> EscalationPolicies,
    IReadOnlyList<PdReference> Priorities, IReadOnlyList<PdReference> Users);

/// PagerDuty's services, escalation policies, priorities and users for pick-lists, cached for five minutes so that
/// pages stay within the request budget; refreshed on demand.
public sealed class PagerDutyDirectory(PagerDutyConnection connection, TimeProvider clock)
{
    private static readonly TimeSpan s_lifetime = TimeSpan.FromMinutes(5);
    private (PagerDutyLists Lists, DateTimeOffset Until, PagerDutyMode Mode)? _cached;

    public async Task<PagerDutyLists> GetAsync(bool refresh = false, CancellationToken cancellationToken = default)
    {
        var mode = (await connection.StatusAsync(cancellationToken)).Mode;
        if (!refresh && _cached is { } cached && cached.Until > clock.GetUtcNow() && cached.Mode == mode) return cached.Lists;
        var client = await connection.ClientAsync(cancellationToken);
        var lists = new PagerDutyLists(await client.ListServicesAsync(cancellationToken), await client.ListEscalationPoliciesAsync(cancellationToken),
            await client.ListPrioritiesAsync(cancellationToken), await client.ListUsersAsync(cancellationToken));
        _cached = (lists, clock.GetUtcNow() + s_lifetime, mode);
        return lists;
    }
}

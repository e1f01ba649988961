namespace Portal.Core.PagerDuty;

/// Every request sent to PagerDuty, by any caller, is paid for from the shared `RequestBudget` before it leaves
/// (the caller's `BudgetScope`, or the interactive share), and every 429 PagerDuty answers pauses every caller of
/// every instance until its `ratelimit-reset`. On the PagerDuty HTTP client, so no request can go uncounted: each one
/// sent is counted in `portal.pagerduty.requests` by PagerDuty's status code.
public sealed class PagerDutyBudgetHandler(RequestBudget budget, Telemetry.PortalMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await budget.PayForRequestAsync(cancellationToken);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (Exception)
        {
            // no answer (a timeout, a lost connection): counted, and the caller handles it
            metrics.PagerDutyRequest(null);
            throw;
        }
        metrics.PagerDutyRequest((int)response.StatusCode);
        if ((int)response.StatusCode == 429) await budget.RecordRateLimitAsync(LivePagerDuty.RateLimitReset(response), CancellationToken.None);
        return response;
    }
}

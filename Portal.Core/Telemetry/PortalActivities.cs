using System.Diagnostics;

namespace Portal.Core.Telemetry;

/// Portal's own spans, on the `ActivitySource` `Portal`: the processing of a webhook event, a record change's rule
/// evaluation and a dispatched action. Each carries `portal.correlation_id`, the id the integration log gives every
/// entry about the same event, so that a trace, its log entries and the PagerDuty call it made (HttpClient's span,
/// a child of the action's) can be found from one another.
public static class PortalActivities
{
    public const string SourceName = "Portal";
    public const string CorrelationTag = "portal.correlation_id";

    public static readonly ActivitySource Source = new(SourceName);

    /// A span named `name`, or null when nothing listens (no tracing configured): then it costs nothing. Without a
    /// correlation id of its own it carries its parent's (the rules of a webhook event carry the event's).
    /// With `traceParent` (a stored W3C `traceparent`, see `CurrentTraceParent`) the span continues that trace, as
    /// a child of the span that stored it, rather than its caller's.
    public static Activity? Start(string name, Guid? correlationId = null, string? traceParent = null)
    {
        var parent = Activity.Current;
        var activity = traceParent is not null && ActivityContext.TryParse(traceParent, null, out var stored)
            ? Source.StartActivity(name, ActivityKind.Internal, stored)
            : Source.StartActivity(name);
        if (activity is null) return null;
        var correlation = correlationId?.ToString() ?? parent?.GetTagItem(CorrelationTag) as string;
        if (correlation is not null) activity.SetTag(CorrelationTag, correlation);
        return activity;
    }

    /// The current span as a W3C `traceparent`, to be stored with work done later (planned actions); null when no
    /// span is recorded.
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Recorded: true } current ? current.Id : null;

    /// Marks the span failed with the exception's type and message (never a payload).
    public static void Failed(this Activity? activity, Exception error)
    {
        if (activity is null) return;
        activity.SetStatus(ActivityStatusCode.Error, error.Message);
        activity.SetTag("error.type", error.GetType().FullName);
    }
}

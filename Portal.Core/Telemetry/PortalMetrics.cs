using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Dispatch;
using Portal.Core.PagerDuty;
using Portal.Core.Persistence;
using Portal.Core.StatusDashboard;
using Portal.Core.Webhooks;

namespace Portal.Core.Telemetry;

/// What a dispatched action came to, as `portal.actions` counts it.
public enum ActionOutcome { Succeeded, AlreadyDelivered, Waiting, Retrying, DeadLettered }

/// Portal's own meter, `Portal`. The instrument names are part of what operators build dashboards on
/// (`docs/grafana-portal.json`, the README's "Metrics" table): keep them stable. Prometheus shows each with dots as
/// underscores, a unit suffix and `_total` on counters (`portal.webhooks.received` is `portal_webhooks_received_total`).
/// Counters are counted where the thing happens; the gauges read the database when they are collected (a scrape, an
/// OTLP export), each with one indexed query, so that what they say holds for every instance sharing the database.
public sealed partial class PortalMetrics
{
    public const string MeterName = "Portal";
    public const string RecordTrigger = "record";
    public const string PagerDutyTrigger = "pagerDuty";

    private readonly IDbContextFactory<PortalDbContext> _dbFactory;
    private readonly TimeProvider _clock;
    private readonly DispatchOptions _dispatch;
    private readonly StatusDashboardOptions _dashboard;
    private readonly ILogger<PortalMetrics> _logger;
    private readonly Counter<long> _webhooksReceived;
    private readonly Counter<long> _webhooksRefused;
    private readonly Counter<long> _webhooksProcessed;
    private readonly Counter<long> _actions;
    private readonly Counter<long> _pagerDutyRequests;
    private readonly Histogram<double> _ruleEvaluation;
    private readonly Counter<long> _logPurges;
    private readonly Counter<long> _lagWarnings;

    public PortalMetrics(IMeterFactory meterFactory, IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, IOptions<DispatchOptions> dispatch,
        IOptions<StatusDashboardOptions> dashboard, ILogger<PortalMetrics> logger)
    {
        (_dbFactory, _clock, _dispatch, _dashboard, _logger) = (dbFactory, clock, dispatch.Value, dashboard.Value, logger);
        // from the host's factory: a second host in the same process (tests) has a meter of its own
        var meter = meterFactory.Create(MeterName);
        _webhooksReceived = meter.CreateCounter<long>("portal.webhooks.received", "{delivery}",
            "Webhook deliveries answered 202, by outcome: stored, duplicate (already stored) or ignored (an event type Portal does not use)");
        _webhooksRefused = meter.CreateCounter<long>("portal.webhooks.refused", "{delivery}",
            "Webhook deliveries refused, by reason: malformed, forbidden (signature), too_large, unavailable (could not be stored: 503)");
        _webhooksProcessed = meter.CreateCounter<long>("portal.webhooks.processed", "{event}",
            "Stored webhook events processed (PagerDuty's and the sandbox's), by outcome: processed or failed");
        _actions = meter.CreateCounter<long>("portal.actions", "{action}",
            "Attempts of planned PagerDuty actions, by type and outcome: succeeded, already_delivered, waiting (budget), retrying, dead_lettered");
        _pagerDutyRequests = meter.CreateCounter<long>("portal.pagerduty.requests", "{request}",
            "Requests sent to PagerDuty's REST API, by status_code (none: no answer)");
        _ruleEvaluation = meter.CreateHistogram("portal.rules.evaluation.duration", "s",
            "Time to match one event against the rules in force, by trigger: record or pagerDuty; its count is the evaluations",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
        _lagWarnings = meter.CreateCounter<long>("portal.webhooks.lag.warnings", "{warning}",
            "Times webhook processing fell behind by more than Webhooks:LagWarningThreshold");
        _logPurges = meter.CreateCounter<long>("portal.log.purges", "{run}", "Runs of the integration log's retention purge, by outcome: succeeded or failed");
        meter.CreateObservableGauge("portal.webhooks.lag", WebhookLag, "s", "Age of the oldest webhook event still waiting to be processed (0: none waits)");
        meter.CreateObservableGauge("portal.outbox.depth", OutboxDepth, "{action}", "Planned PagerDuty actions not finished yet, by state: pending or inFlight");
        meter.CreateObservableGauge("portal.outbox.oldest_due_age", OldestDueAge, "s", "How long the oldest due planned action has been due (0: none is)");
        meter.CreateObservableGauge("portal.pagerduty.budget.remaining", BudgetRemaining, "{request}",
            "PagerDuty requests each caller (dispatch, dashboard, interactive) could still be granted in the current 60-second window (0 while a 429 pause holds)");
    }

    public void WebhookReceived(IntakeOutcome outcome) => _webhooksReceived.Add(1, new KeyValuePair<string, object?>("outcome", outcome switch
    {
        IntakeOutcome.Accepted => "stored",
        IntakeOutcome.Duplicate => "duplicate",
        _ => "ignored",
    }));

    public void WebhookRefused(IntakeOutcome outcome) => _webhooksRefused.Add(1, new KeyValuePair<string, object?>("reason", outcome switch
    {
        IntakeOutcome.Malformed => "malformed",
        IntakeOutcome.Forbidden => "forbidden",
        IntakeOutcome.TooLarge => "too_large",
        _ => "unavailable",
    }));

    /// `state`: `WebhookEventStates.Processed`, `.Failed` or `.Superseded`.
    public void WebhookProcessed(string state, int count = 1) => _webhooksProcessed.Add(count, new KeyValuePair<string, object?>("outcome", state));

    public void ActionAttempted(string actionType, ActionOutcome outcome) => _actions.Add(1, new KeyValuePair<string, object?>("type", actionType),
        new KeyValuePair<string, object?>("outcome", outcome switch
        {
            ActionOutcome.Succeeded => "succeeded",
            ActionOutcome.AlreadyDelivered => "already_delivered",
            ActionOutcome.Waiting => "waiting",
            ActionOutcome.Retrying => "retrying",
            _ => "dead_lettered",
        }));

    /// `statusCode`: PagerDuty's answer; null when none came (a timeout, a lost connection).
    public void PagerDutyRequest(int? statusCode) =>
        _pagerDutyRequests.Add(1, new KeyValuePair<string, object?>("status_code", statusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"));

    /// Times one rule evaluation (`Stopwatch.GetTimestamp()` when it started): the measurement is real time, whatever
    /// clock the rules read.
    public void RulesEvaluated(string trigger, long startedTimestamp) =>
        _ruleEvaluation.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, new KeyValuePair<string, object?>("trigger", trigger));

    public void WebhookLagWarning() => _lagWarnings.Add(1);

    public void LogPurged(bool succeeded) => _logPurges.Add(1, new KeyValuePair<string, object?>("outcome", succeeded ? "succeeded" : "failed"));

    private IEnumerable<Measurement<double>> WebhookLag() => Read<double>("portal.webhooks.lag", db =>
    {
        var oldest = Webhooks.WebhookLag.OldestWaitingReceived(db).FirstOrDefault();
        return [new Measurement<double>(AgeSeconds(oldest))];
    });

    private IEnumerable<Measurement<long>> OutboxDepth() => Read<long>("portal.outbox.depth", db =>
    {
        var counts = db.PlannedActions.Where(a => a.State == PlannedActionStates.Pending || a.State == PlannedActionStates.InFlight)
            .GroupBy(a => a.State).Select(g => new { State = g.Key, Count = g.LongCount() }).ToDictionary(g => g.State, g => g.Count);
        return [State(PlannedActionStates.Pending), State(PlannedActionStates.InFlight)];
        Measurement<long> State(string state) => new(counts.GetValueOrDefault(state), new KeyValuePair<string, object?>("state", state));
    });

    private IEnumerable<Measurement<double>> OldestDueAge() => Read<double>("portal.outbox.oldest_due_age", db =>
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var due = db.PlannedActions.Where(a => a.State == PlannedActionStates.Pending && a.NextAttemptUtc <= now).Min(a => (DateTime?)a.NextAttemptUtc);
        return [new Measurement<double>(AgeSeconds(due))];
    });

    private IEnumerable<Measurement<int>> BudgetRemaining() => Read<int>("portal.pagerduty.budget.remaining", db =>
        RequestBudget.Remaining(db, _clock.GetUtcNow().UtcDateTime, _dispatch, _dashboard)
            .Select(r => new Measurement<int>(r.Left, new KeyValuePair<string, object?>("caller", r.Caller))).ToList());

    private double AgeSeconds(DateTime? since) =>
        since is { } time ? Math.Max(0, (_clock.GetUtcNow().UtcDateTime - DateTime.SpecifyKind(time, DateTimeKind.Utc)).TotalSeconds) : 0;

    /// A gauge that cannot read the database (busy, gone) reports nothing this time, rather than failing the scrape.
    private IEnumerable<Measurement<T>> Read<T>(string gauge, Func<PortalDbContext, IEnumerable<Measurement<T>>> read) where T : struct
    {
        try
        {
            using var db = _dbFactory.CreateDbContext();
            return read(db);
        }
        catch (Exception e)
        {
            LogGaugeFailed(e, gauge);
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Gauge} gauge could not read the database; it reports nothing this time")]
    private partial void LogGaugeFailed(Exception error, string gauge);
}

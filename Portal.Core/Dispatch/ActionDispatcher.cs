using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Links;
using Portal.Core.PagerDuty;
using Portal.Core.Persistence;
using Portal.Core.Rules;
using Portal.Core.Rules.Actions;
using Portal.Core.Telemetry;

namespace Portal.Core.Dispatch;

/// Carries out planned actions against PagerDuty, once each: claims due rows with a lease, calls PagerDuty, records
/// the outcome. 429 waits for `ratelimit-reset`; 5xx, timeouts and lost connections back off with jitter up to
/// `MaxAttempts`; other refusals are dead-lettered at once with PagerDuty's words. A claim records its owner and a
/// token, and an outcome is stored only while the token matches. Work a previous process left in flight is taken back
/// at start (`RecoverAsync`); a lease that ran out is claimed again. Sending again is safe: `createIncident` carries an
/// `incident_key`, and `DeliveryCheck` asks PagerDuty before a note, status update, responder request or automation
/// action whose earlier attempt may have arrived is repeated.
public sealed partial class ActionDispatcher(
    IDbContextFactory<PortalDbContext> dbFactory,
    PagerDutyConnection connection,
    IncidentLinks links,
    DeliveryCheck deliveries,
    PortalInstance instance,
    StatusDashboard.IncidentStatusUpdates statusUpdates,
    RequestBudget budget,
    PortalMetrics metrics,
    TimeProvider clock,
    Logging.IntegrationLog log,
    IOptions<DispatchOptions> options,
    ILogger<ActionDispatcher> logger)
{
    private readonly DispatchOptions _options = options.Value;
    private readonly SemaphoreSlim _running = new(1, 1);
    private bool? _sharedDatabase;

    /// PostgreSQL: other instances may share the database, and any of them may be gone.
    private async Task<bool> IsSharedAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return db.Database.IsNpgsql();
    }

    // live pages learn of an outcome from the row (`ActionFinished`, after the commit)

    /// Runs every due action once; returns how many were claimed.
    public async Task<int> RunDueAsync(CancellationToken cancellationToken = default)
    {
        await _running.WaitAsync(cancellationToken);
        try
        {
            var claimed = await ClaimAsync(cancellationToken);
            // one take for the batch (a request per action); actions past what it granted wait for the window
            var grant = await budget.TakeUpToAsync(RequestCallers.Dispatcher, claimed.Count, cancellationToken);
            var slots = grant.Granted;
            var unsent = 0;
            // Actions on one incident (or, before it exists, one record) run in order; different ones run side by
            // side, so that PagerDuty's answer time is not paid once per action in turn.
            var lanes = claimed.GroupBy(a => a.IncidentId ?? a.RecordId ?? a.Id.ToString()).Select(g => g.ToList()).ToList();
            await Parallel.ForEachAsync(lanes, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.Concurrency), CancellationToken = cancellationToken },
                async (lane, ct) =>
                {
                    foreach (var action in lane)
                    {
                        if (Interlocked.Decrement(ref slots) < 0)
                        {
                            // over budget: give the rest of this lane back for later rather than hold it in flight
                            await ReleaseAsync(lane.SkipWhile(a => a != action).ToList(), grant.RetryAtUtc ?? clock.GetUtcNow().UtcDateTime, ct);
                            return;
                        }
                        // the action's first request is paid from the batch's take; more (a look-up, a delivery check) from the share
                        using (RequestBudget.Scope(RequestCallers.Dispatcher, prepaid: 1, grant.TakenUtc))
                        {
                            await ExecuteAsync(action, ct);
                            // not sent on (no request needed, or the grant went stale while the lane waited)
                            Interlocked.Add(ref unsent, RequestBudget.Current!.UnusedPrepaid);
                        }
                    }
                });
            // what the take granted and no request was sent on goes back, for the next round or another instance
            await budget.GiveBackAsync(grant, unsent + Math.Max(0, slots), CancellationToken.None);
            return claimed.Count;
        }
        finally
        {
            _running.Release();
        }
    }

    /// When the next action falls due, for the background service's sleep.
    public async Task<DateTime?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.PlannedActions.Where(a => a.State == PlannedActionStates.Pending).MinAsync(a => (DateTime?)a.NextAttemptUtc, cancellationToken);
    }

    /// Takes back, at start, every action a process that is gone left in flight, due again now rather than when its
    /// lease would have run out (its attempt may have reached PagerDuty). On SQLite this process owns the file
    /// (`DatabaseFileLock`), so a claim by any other owner is a gone process's. On PostgreSQL several instances share
    /// the work: an owner is gone when its liveness lock (`PostgresInstanceLock`) is free, and every claim round takes
    /// back such work too, so a killed instance's actions are carried on within a poll interval, not its lease.
    public async Task<int> RecoverAsync(CancellationToken cancellationToken = default)
    {
        var recovered = await TakeBackFromGoneOwnersAsync(cancellationToken);
        if (recovered > 0)
        {
            LogRecovered(recovered);
            log.Write(Logging.LogLevel.Warning, Logging.LogCategories.Action,
                $"{recovered} action(s) were in flight when the portal last stopped; taken up again at start");
        }
        return recovered;
    }

    private async Task<int> TakeBackFromGoneOwnersAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            // pg_try_advisory_xact_lock gets an owner's key only when no session holds it: that owner is gone (and two
            // instances checking at once: one gets it, the other leaves the row to it). A claim without an owner
            // waits out its lease.
            var takenOver = $" that had this action in flight is gone; taken over by {instance.Id}.";
            return await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE "PlannedActions" SET "State" = {PlannedActionStates.Pending}, "NextAttemptUtc" = {now}, "DeliveryUncertain" = TRUE,
                    "LastError" = 'The instance ' || "LeaseOwner" || {takenOver},
                    "LeaseOwner" = NULL, "ClaimToken" = NULL, "LeaseUntilUtc" = NULL
                WHERE "State" = {PlannedActionStates.InFlight} AND "LeaseOwner" <> {instance.Id}
                    AND pg_try_advisory_xact_lock(hashtextextended("LeaseOwner", 0))
                """, cancellationToken);
        }
        return await db.PlannedActions.Where(a => a.State == PlannedActionStates.InFlight && (a.LeaseOwner == null || a.LeaseOwner != instance.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, PlannedActionStates.Pending).SetProperty(a => a.NextAttemptUtc, now)
                .SetProperty(a => a.DeliveryUncertain, true).SetProperty(a => a.LeaseOwner, (string?)null).SetProperty(a => a.ClaimToken, (Guid?)null)
                .SetProperty(a => a.LeaseUntilUtc, (DateTime?)null)
                .SetProperty(a => a.LastError, "The portal stopped while this action was in flight; taken up again at start."), cancellationToken);
    }

    private async Task<List<PlannedActionEntity>> ClaimAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var lease = now + _options.Lease;
        var token = Guid.NewGuid();
        if (_sharedDatabase ??= await IsSharedAsync(cancellationToken)) await TakeBackFromGoneOwnersAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // a lease that ran out: its holder stopped answering mid-call, so the call may have reached PagerDuty
        await db.PlannedActions.Where(a => a.State == PlannedActionStates.InFlight && a.LeaseUntilUtc < now)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, PlannedActionStates.Pending).SetProperty(a => a.DeliveryUncertain, true)
                .SetProperty(a => a.LeaseOwner, (string?)null).SetProperty(a => a.ClaimToken, (Guid?)null), cancellationToken);
        var candidates = db.PlannedActions.Where(a => a.State == PlannedActionStates.Pending && a.NextAttemptUtc <= now);
        // several instances: only the head of each incident's (or, before it exists, record's) lane, so that another
        // instance never runs a later action of a lane beside, or before, an earlier one it holds
        if (_sharedDatabase == true)
            candidates = candidates.Where(a => !db.PlannedActions.Any(b => b.Id != a.Id
                && (b.State == PlannedActionStates.InFlight || (b.State == PlannedActionStates.Pending && b.CreatedUtc < a.CreatedUtc))
                && (a.IncidentId != null ? b.IncidentId == a.IncidentId : a.RecordId != null && b.IncidentId == null && b.RecordId == a.RecordId)));
        // oldest first among those due: an action given back (the budget spent, its instance gone) keeps its place ahead
        // of younger ones, however late its next attempt was set
        var due = await candidates
            .OrderBy(a => a.CreatedUtc).ThenBy(a => a.Id).Select(a => a.Id).Take(_options.BatchSize).ToListAsync(cancellationToken);
        if (due.Count == 0) return [];
        await db.PlannedActions.Where(a => due.Contains(a.Id) && a.State == PlannedActionStates.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, PlannedActionStates.InFlight).SetProperty(a => a.LeaseUntilUtc, lease)
                .SetProperty(a => a.LeaseOwner, instance.Id).SetProperty(a => a.ClaimToken, token)
                .SetProperty(a => a.Attempts, a => a.Attempts + 1), cancellationToken);
        var claimed = await db.PlannedActions.AsNoTracking().Where(a => a.ClaimToken == token).ToListAsync(cancellationToken);
        return claimed.OrderBy(a => a.CreatedUtc).ToList();
    }

    /// The action's row, only while this claim still holds it.
    private static IQueryable<PlannedActionEntity> Claimed(PortalDbContext db, PlannedActionEntity action) =>
        db.PlannedActions.Where(a => a.Id == action.Id && a.State == PlannedActionStates.InFlight && a.ClaimToken == action.ClaimToken);

    private async Task ReleaseAsync(List<PlannedActionEntity> actions, DateTime nextAttempt, CancellationToken cancellationToken, bool mayHaveArrived = false)
    {
        var ids = actions.Select(a => a.Id).ToList();
        var token = actions[0].ClaimToken;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.PlannedActions.Where(a => ids.Contains(a.Id) && a.State == PlannedActionStates.InFlight && a.ClaimToken == token)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, PlannedActionStates.Pending).SetProperty(a => a.NextAttemptUtc, nextAttempt)
                .SetProperty(a => a.LeaseOwner, (string?)null).SetProperty(a => a.ClaimToken, (Guid?)null).SetProperty(a => a.LeaseUntilUtc, (DateTime?)null)
                .SetProperty(a => a.Attempts, a => a.Attempts - 1).SetProperty(a => a.DeliveryUncertain, a => a.DeliveryUncertain || mayHaveArrived), cancellationToken);
    }

    private async Task ExecuteAsync(PlannedActionEntity action, CancellationToken cancellationToken)
    {
        // the action's span, with the correlation id of the change that planned it: its PagerDuty requests are children
        using var activity = PortalActivities.Start("dispatch.action", action.CorrelationId, action.TraceParent);
        activity?.SetTag("portal.action.id", action.Id.ToString());
        activity?.SetTag("portal.action.type", action.ActionType);
        activity?.SetTag("portal.action.attempt", action.Attempts);
        activity?.SetTag("pagerduty.incident_id", action.IncidentId);
        ActionOutcome outcome;
        try
        {
            outcome = await AttemptAsync(action, cancellationToken);
        }
        catch (Exception e)
        {
            // what AttemptAsync does not handle (a stop, the database gone) ends the run; the span says so too
            activity.Failed(e);
            throw;
        }
        activity?.SetTag("portal.action.outcome", outcome.ToString());
        if (outcome == ActionOutcome.DeadLettered) activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
        metrics.ActionAttempted(action.ActionType, outcome);
    }

    private async Task<ActionOutcome> AttemptAsync(PlannedActionEntity action, CancellationToken cancellationToken)
    {
        try
        {
            var pagerDuty = await connection.ClientAsync(cancellationToken);
            var status = await connection.StatusAsync(cancellationToken);
            var from = status.FromEmail ?? throw new PagerDutyException(400,
                "No integration e-mail: set the PagerDuty user's e-mail on the Object Mappings tab (or PagerDuty:FromEmail); PagerDuty needs it as From.");
            var typed = RuleActionJson.ReadStored(action.PayloadJson);
            if (action.DeliveryUncertain && await deliveries.FindAsync(pagerDuty, action, typed, cancellationToken) is { } arrived)
            {
                // an earlier attempt reached PagerDuty, though Portal never learnt it: sending it again would repeat it
                if (arrived.NoteId is { } noteId && typed is AddNoteAction note) await NoteCommentAsync(note.CommentId, noteId, cancellationToken);
                await SucceedAsync(action, null, cancellationToken);
                log.Write(Logging.LogLevel.Info, Logging.LogCategories.Action,
                    $"{action.ActionType} was not sent again: PagerDuty already has it from an earlier attempt ({arrived.What})", action.CorrelationId,
                    action.RecordId, action.IncidentId, new { action.ActionType, action.Attempts, action.Rule, arrived = arrived.What });
                return ActionOutcome.AlreadyDelivered;
            }
            var incident = await CallAsync(pagerDuty, action, typed, from, cancellationToken);
            await SucceedAsync(action, incident, cancellationToken);
            LogDone(action.ActionType, action.IncidentId ?? incident?.Id, action.Attempts);
            log.Write(Logging.LogLevel.Info, Logging.LogCategories.Action,
                $"Sent {action.ActionType}{(incident is null ? "" : $": incident #{incident.Number} is {incident.Status}")}", action.CorrelationId,
                action.RecordId, action.IncidentId ?? incident?.Id, new { action.ActionType, action.Attempts, action.Rule, answer = incident });
            return ActionOutcome.Succeeded;
        }
        catch (PagerDutyException e) when (e.BudgetSpent)
        {
            // never sent, so no attempt spent; an earlier request of this attempt (the look-up before a write) may have been
            var retryAt = clock.GetUtcNow().UtcDateTime + (e.RetryAfter ?? RequestBudget.UnknownReset);
            await ReleaseAsync([action], retryAt, cancellationToken, mayHaveArrived: RequestBudget.Current?.Sent > 0);
            log.Write(Logging.LogLevel.Info, Logging.LogCategories.Action, $"{action.ActionType} waits: {e.Message}", action.CorrelationId,
                action.RecordId, action.IncidentId, new { action.ActionType, action.Attempts, retryAtUtc = retryAt });
            return ActionOutcome.Waiting;
        }
        catch (PagerDutyException e) when (e.Transient && action.Attempts < _options.MaxAttempts)
        {
            var delay = e.RetryAfter ?? Backoff(action.Attempts);
            await RetryLaterAsync(action, e.Describe(), delay, mayHaveArrived: e.StatusCode != 429, cancellationToken);
            LogRetry(action.ActionType, action.IncidentId, e.StatusCode, e.Describe(), delay.TotalSeconds);
            log.Write(Logging.LogLevel.Warning, Logging.LogCategories.Action,
                $"{action.ActionType} failed ({e.StatusCode?.ToString() ?? "no answer"}: {e.Describe()}); trying again in {delay.TotalSeconds:0.#} s",
                action.CorrelationId, action.RecordId, action.IncidentId, new { status = e.StatusCode, code = e.ErrorCode, errors = e.Errors, action.Attempts });
            return ActionOutcome.Retrying;
        }
        catch (PagerDutyException e)
        {
            await DeadLetterAsync(action, e.Describe(), cancellationToken);
            LogDeadLettered(action.ActionType, action.IncidentId, e.StatusCode, e.Describe());
            log.Write(Logging.LogLevel.Error, Logging.LogCategories.Action, $"{action.ActionType} failed for good: PagerDuty answered {e.StatusCode}: {e.Describe()}",
                action.CorrelationId, action.RecordId, action.IncidentId, new { status = e.StatusCode, code = e.ErrorCode, errors = e.Errors, action.Attempts });
            return ActionOutcome.DeadLettered;
        }
        catch (Exception e) when (e is PortalValidationException or PortalNotFoundException or KeyNotFoundException or JsonException or FormatException
            or InvalidOperationException)
        {
            await DeadLetterAsync(action, e.Message, cancellationToken);
            LogDeadLettered(action.ActionType, action.IncidentId, null, e.Message);
            log.Write(Logging.LogLevel.Error, Logging.LogCategories.Action, $"{action.ActionType} failed for good: {e.Message}",
                action.CorrelationId, action.RecordId, action.IncidentId);
            return ActionOutcome.DeadLettered;
        }
    }

    /// Sends the action: one case per PagerDuty action type (a record action is never planned).
    private async Task<PdIncident?> CallAsync(IPagerDuty pagerDuty, PlannedActionEntity planned, RuleAction action, string from,
        CancellationToken cancellationToken)
    {
        string Need(string? value, string name) => value is { Length: > 0 } ? value
            : throw new InvalidOperationException($"The {action.Type} action has no '{name}'.");
        string? Optional(string? value) => string.IsNullOrEmpty(value) ? null : value;
        string Incident() => planned.IncidentId ?? throw new InvalidOperationException($"The {action.Type} action names no incident.");
        Task<PdIncident> UpdateAsync(PdUpdateIncident update) => pagerDuty.UpdateIncidentAsync(Incident(), update, from, cancellationToken);

        switch (action)
        {
            case CreateIncidentAction create:
                var userIds = create.UserIds ?? [];
                return await pagerDuty.CreateIncidentAsync(new PdCreateIncident(IncidentTitle.Cut(Need(create.Title?.Text, "title")),
                    Need(create.ServiceId, "serviceId"), Optional(create.Urgency), Optional(create.PriorityId),
                    userIds.Count > 0 ? null : Optional(create.EscalationPolicyId), userIds.Count > 0 ? userIds : null,
                    create.DetailsText, planned.IdempotencyKey), from, cancellationToken);
            case AcknowledgeIncidentAction:
                return await UpdateAsync(new PdUpdateIncident(Status: "acknowledged"));
            case ResolveIncidentAction resolve:
                return await UpdateAsync(new PdUpdateIncident(Status: "resolved", Resolution: Optional(resolve.Resolution)));
            case SetIncidentPriorityAction priority:
                return await UpdateAsync(new PdUpdateIncident(PriorityId: Need(priority.PriorityId, "priorityId")));
            case SetIncidentUrgencyAction urgency:
                return await UpdateAsync(new PdUpdateIncident(Urgency: Need(urgency.Urgency, "urgency")));
            case ReassignIncidentAction reassign:
                var assignees = reassign.UserIds ?? [];
                return await UpdateAsync(new PdUpdateIncident(EscalationPolicyId: assignees.Count > 0 ? null : Need(reassign.EscalationPolicyId, "escalationPolicyId"),
                    AssigneeIds: assignees.Count > 0 ? assignees : null));
            case SetIncidentTitleAction title:
                return await UpdateAsync(new PdUpdateIncident(Title: IncidentTitle.Cut(Need(title.Title, "title"))));
            case SetIncidentConferenceAction conference:
                return await UpdateAsync(new PdUpdateIncident(ConferenceBridge: new PdConferenceBridge(Optional(conference.ConferenceNumber?.Trim()),
                    Optional(conference.ConferenceUrl?.Trim()))));
            case SetIncidentCustomFieldsAction custom:
                await pagerDuty.SetCustomFieldValuesAsync(Incident(), custom.Fields is { Count: > 0 } fields ? fields
                    : throw new InvalidOperationException("The setIncidentCustomFields action has no 'fields'."), from, cancellationToken);
                return null;
            case EscalateIncidentAction escalate:
                return await UpdateAsync(new PdUpdateIncident(EscalationLevel: escalate.EscalationLevel
                    ?? throw new InvalidOperationException("The escalateIncident action has no 'escalationLevel'.")));
            case AddRespondersAction responders:
                var requester = await pagerDuty.FindUserIdByEmailAsync(from, cancellationToken)
                    ?? throw new PagerDutyException(400, $"No PagerDuty user has the integration e-mail {from}; responder requests need one as requester.");
                await pagerDuty.AddRespondersAsync(Incident(), requester, responders.UserIds ?? [], responders.EscalationPolicyIds ?? [],
                    responders.Message ?? "", from, cancellationToken);
                return null;
            case RunIncidentWorkflowAction workflow:
                await pagerDuty.RunIncidentWorkflowAsync(Need(workflow.WorkflowId, "workflowId"), Incident(), cancellationToken);
                return null;
            case RunAutomationActionAction automation:
                await pagerDuty.RunAutomationActionAsync(Need(automation.ActionId, "actionId"), Incident(), cancellationToken);
                return null;
            case AddNoteAction note:
                var made = await pagerDuty.AddNoteAsync(Incident(), Need(note.Content, "content"), from, cancellationToken);
                await NoteCommentAsync(note.CommentId, made.Id, cancellationToken);
                return null;
            case AddStatusUpdateAction update:
                var posted = await pagerDuty.AddStatusUpdateAsync(Incident(), Need(update.Message, "message"), from, cancellationToken);
                await statusUpdates.StorePostedAsync(Incident(), posted, planned.RequestedBy, cancellationToken);
                return null;
            case RecordAction:
                throw new InvalidOperationException($"'{action.Type}' acts on records; it is not sent to PagerDuty.");
            default:
                throw new InvalidOperationException($"'{action.Type}' has no PagerDuty call: add its case to ActionDispatcher.CallAsync.");
        }
    }

    private async Task SucceedAsync(PlannedActionEntity action, PdIncident? incident, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await Claimed(db, action).FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            LostClaim(action, "succeeded");
            return;
        }
        row.State = PlannedActionStates.Succeeded;
        row.CompletedUtc = clock.GetUtcNow().UtcDateTime;
        row.LastError = null;
        row.LeaseUntilUtc = null;
        row.DeliveryUncertain = false;
        if (incident is not null)
        {
            var state = incident.ToState();
            if (action.ActionType == RuleActionTypes.CreateIncident && action.RecordId is not null)
            {
                row.IncidentId = incident.Id;
                await links.LinkAsync(db, action.RecordId, state, row.RequestedBy, cancellationToken);
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            // a new incident was just linked with this state; other actions refresh every record that links theirs
            if (action.ActionType != RuleActionTypes.CreateIncident) await links.UpdateIncidentAsync(state, cancellationToken);
        }
        else
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// `mayHaveArrived`: the failure leaves open whether PagerDuty carried the request out (a 5xx, a timeout, a lost
    /// connection); a 429 says it did not.
    private async Task RetryLaterAsync(PlannedActionEntity action, string error, TimeSpan delay, bool mayHaveArrived, CancellationToken cancellationToken)
    {
        var next = clock.GetUtcNow().UtcDateTime + delay;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await Claimed(db, action).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.State, PlannedActionStates.Pending).SetProperty(a => a.NextAttemptUtc, next)
            .SetProperty(a => a.LastError, error).SetProperty(a => a.LeaseUntilUtc, (DateTime?)null)
            .SetProperty(a => a.LeaseOwner, (string?)null).SetProperty(a => a.ClaimToken, (Guid?)null)
            .SetProperty(a => a.DeliveryUncertain, a => a.DeliveryUncertain || mayHaveArrived), cancellationToken);
        if (stored == 0) LostClaim(action, "to be retried");
    }

    private async Task DeadLetterAsync(PlannedActionEntity action, string error, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await Claimed(db, action).FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            LostClaim(action, "dead-lettered");
            return;
        }
        row.State = PlannedActionStates.DeadLettered;
        row.LastError = StoredText.Cut(error);
        row.CompletedUtc = clock.GetUtcNow().UtcDateTime;
        row.LeaseUntilUtc = null;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// Links the record comment a note was made from to PagerDuty's note, so that the note's webhook is not imported
    /// back as a comment.
    private async Task NoteCommentAsync(string? commentId, string noteId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(commentId, out var id)) return;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.RecordComments.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.PagerDutyNoteId, noteId), cancellationToken);
    }

    /// Another claim holds the action now (this one ran past its lease): its outcome is that claim's to store.
    private void LostClaim(PlannedActionEntity action, string outcome) => LogLostClaim(action.ActionType, action.Id, outcome);

    private TimeSpan Backoff(int attempt)
    {
        var exponential = _options.BaseBackoff.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1));
        var capped = Math.Min(exponential, _options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + Random.Shared.NextDouble() / 2));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} action(s) were in flight when the portal last stopped; taken up again at start")]
    private partial void LogRecovered(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ActionType} {ActionId} was not stored as {Outcome}: another claim holds it now")]
    private partial void LogLostClaim(string actionType, Guid actionId, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent {ActionType} for incident {IncidentId} to PagerDuty (attempt {Attempt})")]
    private partial void LogDone(string actionType, string? incidentId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ActionType} for incident {IncidentId} failed with {Status}: {Error}; trying again in {Seconds:0.#} s")]
    private partial void LogRetry(string actionType, string? incidentId, int? status, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "{ActionType} for incident {IncidentId} failed for good with {Status}: {Error}")]
    private partial void LogDeadLettered(string actionType, string? incidentId, int? status, string error);
}

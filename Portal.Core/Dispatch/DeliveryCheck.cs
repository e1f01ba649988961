using Microsoft.EntityFrameworkCore;
using Portal.Core.PagerDuty;
using Portal.Core.Persistence;
using Portal.Core.Rules.Actions;

namespace Portal.Core.Dispatch;

/// What PagerDuty already holds of an earlier attempt: `What` for the log, `NoteId` when it is a note.
public sealed record PriorDelivery(string What, string? NoteId = null);

/// Before an action whose earlier attempt may have reached PagerDuty is sent again (the process died mid-call, or the
/// call timed out or failed with a 5xx), asks PagerDuty whether that attempt arrived, since the action was planned.
/// What a retry can and cannot repeat, by action type:
/// - `createIncident`: never repeats: it carries an `incident_key`, PagerDuty refuses a second open incident with it,
///   and the dispatcher links the one found by key.
/// - acknowledge, resolve, priority, urgency, reassign, title, escalate (`PUT /incidents/{id}`): sets a state, so
///   sending it again changes nothing more.
/// - `addNote`: the incident's notes are read; a note with the same content since the action was planned counts.
/// - `addStatusUpdate`: PagerDuty has no API to read status updates back; the ones Portal received from the
///   `incident.status_update_published` webhook are looked at. One whose webhook has not arrived yet can repeat.
/// - `addResponders`: the incident's responder requests are read (same message, since the action was planned).
/// - `runAutomationAction`: the action's invocations for the incident are read.
/// - `runIncidentWorkflow`: PagerDuty offers no way to list an incident's workflow instances, so it is sent again: a
///   workflow can start twice after a crash in the middle of its call.
public sealed class DeliveryCheck(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// PagerDuty's clock and Portal's may differ a little: look back this much before the action was planned.
    private static readonly TimeSpan s_skew = TimeSpan.FromMinutes(2);

    public async Task<PriorDelivery?> FindAsync(IPagerDuty pagerDuty, PlannedActionEntity planned, RuleAction action, CancellationToken cancellationToken)
    {
        if (planned.IncidentId is not { } incidentId) return null;
        var since = planned.CreatedUtc - s_skew;
        switch (action)
        {
            case AddNoteAction { Content: var content }:
                var note = (await pagerDuty.ListNotesAsync(incidentId, cancellationToken)).FirstOrDefault(n => n.Content == content && n.CreatedUtc >= since);
                return note is null ? null : new PriorDelivery($"note {note.Id} of {note.CreatedUtc:u}", note.Id);
            case AddStatusUpdateAction { Message: var message }:
                await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
                {
                    var update = await db.IncidentStatusUpdates.AsNoTracking()
                        .Where(u => u.IncidentId == incidentId && u.Message == message && u.CreatedUtc >= since).FirstOrDefaultAsync(cancellationToken);
                    return update is null ? null : new PriorDelivery($"status update {update.PagerDutyId} of {update.CreatedUtc:u}");
                }
            case AddRespondersAction responders:
                var request = (await pagerDuty.ListResponderRequestsAsync(incidentId, cancellationToken))
                    .FirstOrDefault(r => r.Message == (responders.Message ?? "") && r.RequestedUtc >= since);
                return request is null ? null : new PriorDelivery($"responder request of {request.RequestedUtc:u}");
            case RunAutomationActionAction automation:
                var invoked = (await pagerDuty.ListAutomationInvocationsAsync(automation.ActionId ?? "", incidentId, cancellationToken))
                    .Where(at => at >= since).Order().FirstOrDefault();
                return invoked == default ? null : new PriorDelivery($"invocation of {invoked:u}");
            default:
                return null;
        }
    }
}

using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Core.Rules.Actions;
using Portal.Core.Settings;

namespace Portal.Core.Dispatch;

/// A comment written in Portal on a record with linked incidents becomes a note on each of them (when sync is on),
/// planned in the same transaction as the comment. Comments that came from PagerDuty are never sent back.
public sealed class CommentNoteSync(SettingsStore settings, TimeProvider clock) : IRecordCommentHandler
{
    public async Task OnCommentAddedAsync(RecordComment comment, PortalDbContext db, CancellationToken cancellationToken)
    {
        if (comment.Comment.Source != CommentSources.Portal) return;
        var integration = await settings.GetAsync(IntegrationSettings.Key, () => new IntegrationSettings(), cancellationToken);
        if (!integration.SyncCommentsToNotes) return;
        var incidents = await db.IncidentLinks.AsNoTracking().Where(l => l.RecordId == comment.RecordId).Select(l => l.IncidentId).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var incidentId in incidents)
        {
            db.PlannedActions.Add(new PlannedActionEntity
            {
                Id = Guid.CreateVersion7(),
                CreatedUtc = now,
                NextAttemptUtc = now,
                ActionType = RuleActionTypes.AddNote,
                PayloadJson = RuleActionJson.Serialize(new AddNoteAction
                {
                    Content = $"{comment.Comment.Author}: {comment.Comment.Body}", CommentId = comment.Comment.Id.ToString(),
                }),
                ObjectName = comment.Type.Name,
                RecordId = comment.RecordId,
                IncidentId = incidentId,
                RequestedBy = comment.Actor.Name,
                CorrelationId = Guid.CreateVersion7(),
            });
        }
    }
}

using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Notifications;
using Portal.Core.Persistence;
using Portal.Core.Security;

namespace Portal.Core.Links;

/// Links between records and PagerDuty incidents. A record may link several incidents; an incident at most
/// `MaxRecordsPerIncident` records (the original integration's limit).
/// Live pages learn of link changes from the rows themselves (`RecordLinksChanged`, after the commit).
public sealed class IncidentLinks(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ChangeNotifier notifier, AccessCheck access)
{
    public const int MaxRecordsPerIncident = 10;

    public async Task<IReadOnlyList<IncidentLinkDto>> ForRecordAsync(string recordId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await ForRecordAsync(db, recordId, cancellationToken);
    }

    public static async Task<IReadOnlyList<IncidentLinkDto>> ForRecordAsync(PortalDbContext db, string recordId, CancellationToken cancellationToken)
    {
        var links = await db.IncidentLinks.AsNoTracking().Where(l => l.RecordId == recordId)
            .OrderByDescending(l => l.LinkedUtc).ToListAsync(cancellationToken);
        return links.Select(IncidentLinkDto.From).ToList();
    }

    public async Task<IReadOnlyList<IncidentLinkEntity>> ForIncidentAsync(string incidentId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.IncidentLinks.AsNoTracking().Where(l => l.IncidentId == incidentId).ToListAsync(cancellationToken);
    }

    /// Links the incident to the record inside the caller's unit of work (used by the dispatcher and rules).
    public async Task<IncidentLinkEntity> LinkAsync(PortalDbContext db, string recordId, IncidentState incident, string linkedBy,
        CancellationToken cancellationToken)
    {
        var record = await db.Records.AsNoTracking().Where(r => r.Id == recordId).Select(r => new { r.Id, r.ObjectName })
            .FirstOrDefaultAsync(cancellationToken) ?? throw new PortalNotFoundException($"There is no record '{recordId}'.");
        var existing = await db.IncidentLinks.FirstOrDefaultAsync(l => l.RecordId == recordId && l.IncidentId == incident.IncidentId, cancellationToken);
        if (existing is not null)
        {
            Apply(existing, incident);
            return existing;
        }
        var count = await db.IncidentLinks.CountAsync(l => l.IncidentId == incident.IncidentId, cancellationToken);
        if (count >= MaxRecordsPerIncident)
            throw new PortalValidationException("incidentId",
                $"Incident {incident.Number?.ToString() ?? incident.IncidentId} is already linked to {MaxRecordsPerIncident} records, the most one incident may have.");
        var link = new IncidentLinkEntity
        {
            Id = Guid.NewGuid(),
            RecordId = record.Id,
            ObjectName = record.ObjectName,
            IncidentId = incident.IncidentId,
            LinkedUtc = clock.GetUtcNow().UtcDateTime,
            LinkedBy = linkedBy,
        };
        Apply(link, incident);
        db.IncidentLinks.Add(link);
        return link;
    }

    public async Task<IncidentLinkDto> LinkAsync(string recordId, IncidentState incident, string linkedBy, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var link = await LinkAsync(db, recordId, incident, linkedBy, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return IncidentLinkDto.From(link);
    }

    /// Unlinking is links.delete, checked for the caller now (AccessCheck); the unchecked overload is for tests.
    public async Task<bool> UnlinkAsync(string recordId, string incidentId, ClaimsPrincipal by, CancellationToken cancellationToken = default)
    {
        await access.DemandAsync(by, Permissions.LinksDelete, cancellationToken);
        return await UnlinkAsync(recordId, incidentId, cancellationToken);
    }

    internal async Task<bool> UnlinkAsync(string recordId, string incidentId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var removed = await db.IncidentLinks.Where(l => l.RecordId == recordId && l.IncidentId == incidentId).ExecuteDeleteAsync(cancellationToken);
        // a bulk delete bypasses the rows the notifier reads, and has committed already
        if (removed > 0) notifier.Publish(new RecordLinksChanged(recordId));
        return removed > 0;
    }

    /// Refreshes the cached state of an incident on every record that links it.
    public async Task<int> UpdateIncidentAsync(IncidentState incident, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var recordIds = await UpdateIncidentAsync(db, incident, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return recordIds.Count;
    }

    /// Refreshes the cached state of an incident on every record that links it, inside the caller's unit of work
    /// (the caller saves); returns the records that link it.
    public async Task<IReadOnlyList<string>> UpdateIncidentAsync(PortalDbContext db, IncidentState incident, CancellationToken cancellationToken)
    {
        var links = await db.IncidentLinks.Where(l => l.IncidentId == incident.IncidentId).ToListAsync(cancellationToken);
        foreach (var link in links) Apply(link, incident);
        return links.Select(l => l.RecordId).Distinct().ToList();
    }

    private void Apply(IncidentLinkEntity link, IncidentState incident)
    {
        link.Number = incident.Number ?? link.Number;
        link.Title = incident.Title ?? link.Title;
        link.Status = incident.Status ?? link.Status;
        link.Urgency = incident.Urgency ?? link.Urgency;
        link.Priority = incident.Priority ?? link.Priority;
        link.ServiceId = incident.ServiceId ?? link.ServiceId;
        link.ServiceName = incident.ServiceName ?? link.ServiceName;
        link.HtmlUrl = incident.HtmlUrl ?? link.HtmlUrl;
        if (incident.Assignees is { } assignees) link.Assignees = string.Join('\n', assignees);
        link.IncidentCreatedUtc = incident.CreatedUtc ?? link.IncidentCreatedUtc;
        link.LastUpdatedUtc = clock.GetUtcNow().UtcDateTime;
    }
}

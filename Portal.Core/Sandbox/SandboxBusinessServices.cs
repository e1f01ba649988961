using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.PagerDuty;

namespace Portal.Core.Sandbox;

/// The sandbox's business services, answering as PagerDuty does: an open incident on a supporting service impacts the
/// business service (the sandbox has no priority threshold, so every open incident counts), impacted ones come first,
/// then the most recently impacted, then by name, and the list without ids stops at PagerDuty's 200.
public sealed partial class SandboxPagerDuty
{
    private const int ImpactsLimit = 200;

    public async Task<PdBusinessServiceImpacts> ListBusinessServiceImpactsAsync(IReadOnlyList<string>? ids, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var services = await db.SandboxBusinessServices.AsNoTracking().ToListAsync(cancellationToken);
        var open = await OpenIncidentsAsync(db, cancellationToken);
        var ranked = services.Where(s => ids is null || ids.Contains(s.Id))
            .Select(s => (Service: s, Impacting: open.Where(i => Supporting(s).Contains(i.ServiceId)).ToList()))
            .OrderByDescending(s => s.Impacting.Count > 0)
            .ThenByDescending(s => s.Impacting.Select(i => i.CreatedUtc).DefaultIfEmpty().Max())
            .ThenBy(s => s.Service.Name, StringComparer.OrdinalIgnoreCase)
            .Select(s => Impact(s.Service, s.Impacting))
            .ToList();
        return ids is null && ranked.Count > ImpactsLimit
            ? new PdBusinessServiceImpacts(ranked.Take(ImpactsLimit).ToList(), true)
            : new PdBusinessServiceImpacts(ranked, false);
    }

    public async Task<IReadOnlyList<PdReference>> ListBusinessServicesAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SandboxBusinessServices.AsNoTracking().OrderBy(s => s.Name).Select(s => new PdReference(s.Id, s.Name)).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<PdIncident>> ListOpenIncidentsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await OpenIncidentsAsync(db, cancellationToken)).Select(ToIncident).ToList();
    }

    public async Task<IReadOnlyList<PdBusinessServiceImpact>> ListIncidentImpactsAsync(string incidentId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var incident = await FindAsync(db, incidentId, cancellationToken);
        if (incident.Status == "resolved") return [];
        var services = await db.SandboxBusinessServices.AsNoTracking().ToListAsync(cancellationToken);
        return services.Where(s => Supporting(s).Contains(incident.ServiceId)).OrderBy(s => s.Name).Select(s => Impact(s, [incident])).ToList();
    }

    private static async Task<List<SandboxIncidentEntity>> OpenIncidentsAsync(Persistence.PortalDbContext db, CancellationToken cancellationToken) =>
        await db.SandboxIncidents.AsNoTracking().Where(i => i.Status != "resolved").OrderByDescending(i => i.Number).ToListAsync(cancellationToken);

    private static IReadOnlyList<string> Supporting(SandboxBusinessServiceEntity service) =>
        JsonSerializer.Deserialize<List<string>>(service.SupportingServiceIdsJson) ?? [];

    private static PdBusinessServiceImpact Impact(SandboxBusinessServiceEntity service, IReadOnlyList<SandboxIncidentEntity> impacting)
    {
        // the most severe priority is the first of the account's list (P1); its order counts down from there
        var ranks = impacting.Select(i => Array.FindIndex(SandboxAccount.Priorities, p => p.Id == i.PriorityId)).Where(r => r >= 0).ToList();
        var highest = ranks.Count == 0 ? (int?)null : ranks.Min();
        return new PdBusinessServiceImpact(service.Id, service.Name, impacting.Count > 0,
            highest is { } rank ? SandboxAccount.Priorities[rank].Id : null, highest is { } r ? SandboxAccount.Priorities.Length - r : null);
    }
}

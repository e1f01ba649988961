using System.Security.Claims;
using Portal.Core.PagerDuty;
using Portal.Core.Security;

namespace Portal.Core.Sandbox;

/// The sandbox responder page's actions: what an on-call responder does in PagerDuty (trigger, acknowledge, resolve,
/// add a note, escalate, reassign, change priority), done on the sandbox account as its first user so that Portal
/// receives the same webhooks. Each is records.write, checked for the caller here as well as on the page; bad input is
/// refused by field before the sandbox hears of it.
public sealed class SandboxResponder(SandboxPagerDuty sandbox, AccessCheck access)
{
    /// The levels the responder page escalates to (each sandbox escalation policy has three).
    public const int EscalationLevels = 3;

    public static string Responder => SandboxAccount.Users[0].Email;

    public async Task<PdIncident> TriggerAsync(string? serviceId, string? title, string? urgency, ClaimsPrincipal by, CancellationToken cancellationToken = default)
    {
        await access.DemandAsync(by, Permissions.RecordsWrite, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        if (SandboxAccount.Name(SandboxAccount.Services, serviceId) is null) errors["serviceId"] = ["Choose one of the sandbox's services."];
        if (string.IsNullOrWhiteSpace(title)) errors["title"] = ["Give the incident a title."];
        if (urgency is not ("high" or "low")) errors["urgency"] = ["Choose high or low urgency."];
        if (errors.Count > 0) throw new PortalValidationException(errors);
        return await sandbox.CreateIncidentAsync(new PdCreateIncident(title!.Trim(), serviceId!, Urgency: urgency), Responder, cancellationToken);
    }

    public async Task<PdNote> AddNoteAsync(string incidentId, string? content, ClaimsPrincipal by, CancellationToken cancellationToken = default)
    {
        await access.DemandAsync(by, Permissions.RecordsWrite, cancellationToken);
        if (string.IsNullOrWhiteSpace(content)) throw new PortalValidationException("note", "Write the note.");
        return await sandbox.AddNoteAsync(incidentId, content.Trim(), Responder, cancellationToken);
    }

    public async Task<PdIncident> EscalateAsync(string incidentId, int level, ClaimsPrincipal by, CancellationToken cancellationToken = default)
    {
        await access.DemandAsync(by, Permissions.RecordsWrite, cancellationToken);
        if (level is < 1 or > EscalationLevels) throw new PortalValidationException("level", $"Escalate to a level from 1 to {EscalationLevels}.");
        return await sandbox.UpdateIncidentAsync(incidentId, new PdUpdateIncident(EscalationLevel: level), Responder, cancellationToken);
    }

    public async Task<PdIncident> UpdateAsync(string incidentId, PdUpdateIncident update, ClaimsPrincipal by, CancellationToken cancellationToken = default)
    {
        await access.DemandAsync(by, Permissions.RecordsWrite, cancellationToken);
        return await sandbox.UpdateIncidentAsync(incidentId, update, Responder, cancellationToken);
    }
}

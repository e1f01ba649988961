using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Logging;
using Portal.Core.Persistence;
using Portal.Core.Rules;
using Portal.Core.Rules.Actions;
using Portal.Core.Security;

namespace Portal.Core.Dispatch;

/// What an agent does from the Command Console: each action is stored as a planned action (so it survives a
/// restart and is carried out once) and the dispatcher sends it. Each is records.write, checked for the caller now
/// (AccessCheck); the unchecked overloads are for tests.
public sealed class ConsoleActions(IDbContextFactory<PortalDbContext> dbFactory, PagerDuty.PagerDutyConnection connection, Links.IncidentLinks links,
    IntegrationLog log, TimeProvider clock, AccessCheck access, Records.ObjectCatalog catalog)
{
    /// Links an incident that already exists in PagerDuty, named by its number, id or PagerDuty URL, after looking it up.
    public async Task<Links.IncidentLinkDto> LinkExistingAsync(string objectName, string recordId, string idOrUrl, ClaimsPrincipal by,
        CancellationToken cancellationToken = default) =>
        await LinkExistingAsync(objectName, recordId, idOrUrl, await WriterAsync(by, cancellationToken), cancellationToken);

    internal async Task<Links.IncidentLinkDto> LinkExistingAsync(string objectName, string recordId, string idOrUrl, string linkedBy,
        CancellationToken cancellationToken = default)
    {
        var text = idOrUrl?.Trim() ?? "";
        var id = Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Segments.Length >= 2
            ? url.Segments[^1].Trim('/')
            : text;
        if (id.Length is 0 or > 64 || !id.All(char.IsLetterOrDigit))
            throw new PortalValidationException("incident", "Give the incident's number (e.g. 37), id (e.g. Q2CKYRLH85UNN4) or its PagerDuty address.");
        PagerDuty.PdIncident incident;
        try
        {
            incident = await (await connection.ClientAsync(cancellationToken)).GetIncidentAsync(id, cancellationToken);
        }
        catch (PagerDuty.PagerDutyException e) when (e.StatusCode == 404)
        {
            throw new PortalValidationException("incident", $"PagerDuty has no incident {id}.");
        }
        var link = await links.LinkAsync(recordId, incident.ToState(), linkedBy, cancellationToken);
        string recordName;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            recordName = await RecordNameAsync(db, objectName, recordId, cancellationToken) ?? $"{objectName} {recordId}";
        log.Write(LogLevel.Info, LogCategories.Action, $"{linkedBy} linked incident #{incident.Number} to {recordName}", recordId: recordId, incidentId: incident.Id);
        return link;
    }

    /// What the console offers on a linked incident, in the rule editor's order.
    public static IReadOnlyList<string> IncidentActions { get; } = [.. RuleActionCatalog.Console.Select(k => k.Name)];

    /// What is wrong with a console action on an incident, by parameter (empty when it may be queued): the checks of
    /// its type, the same as a rule's. The dialog shows them beside its fields; `ActAsync` refuses with them.
    public static IReadOnlyDictionary<string, string[]> Check(string actionType, JsonObject parameters) => Read(actionType, parameters, out _);

    private static IReadOnlyDictionary<string, string[]> Read(string actionType, JsonObject parameters, out RuleAction? action)
    {
        action = null;
        if (RuleActionCatalog.Find(actionType) is not { InConsole: true })
            return new Dictionary<string, string[]> { ["type"] = [$"'{actionType}' is not an action the console can take."] };
        var written = new JsonObject { ["type"] = actionType };
        foreach (var (name, value) in parameters)
            if (name != "type") written[name] = value?.DeepClone();
        return ActionCheck.Problems(written, out action);
    }

    /// `assigneeId`: a PagerDuty user to assign instead of an escalation policy (PagerDuty refuses both at once).
    public async Task<Guid> CreateIncidentAsync(string objectName, string recordId, string title, string serviceId, string? urgency, string? priorityId,
        string? escalationPolicyId, string? assigneeId, string? details, ClaimsPrincipal by, CancellationToken cancellationToken = default) =>
        await CreateIncidentAsync(objectName, recordId, title, serviceId, urgency, priorityId, escalationPolicyId, assigneeId, details,
            await WriterAsync(by, cancellationToken), cancellationToken);

    internal async Task<Guid> CreateIncidentAsync(string objectName, string recordId, string title, string serviceId, string? urgency, string? priorityId,
        string? escalationPolicyId, string? assigneeId, string? details, string requestedBy, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        title = title?.Trim() ?? "";
        if (title.Length == 0) errors["title"] = ["Give the incident a title."];
        else if (title.Length > IncidentTitle.MaxLength) errors["title"] = [$"The title is {title.Length} characters; PagerDuty takes at most {IncidentTitle.MaxLength}."];
        if (string.IsNullOrWhiteSpace(serviceId)) errors["serviceId"] = ["Choose the PagerDuty service."];
        if (urgency is not null and not ("high" or "low")) errors["urgency"] = ["Urgency is high or low."];
        if (!string.IsNullOrWhiteSpace(escalationPolicyId) && !string.IsNullOrWhiteSpace(assigneeId))
            errors["assigneeId"] = ["Choose an escalation policy or an assignee, not both: PagerDuty takes one or the other."];
        if (errors.Count > 0) throw new PortalValidationException(errors);

        static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        var action = new CreateIncidentAction
        {
            Title = IncidentTitleSpec.Of(title), ServiceId = serviceId.Trim(), Urgency = Given(urgency), PriorityId = Given(priorityId),
            EscalationPolicyId = Given(escalationPolicyId), UserIds = Given(assigneeId) is { } assignee ? [assignee] : null,
            Details = Given(details) is { } body ? System.Text.Json.JsonSerializer.SerializeToElement(body) : null,
        };
        if (ActionCheck.Problems(action) is { Count: > 0 } problems) throw new PortalValidationException(problems);
        // one key per request from the console: a retry cannot create twice, yet an agent may raise a second incident on purpose
        return await PlanAsync(objectName, recordId, null, action, requestedBy, $"portal:{objectName}:{recordId}:{Guid.NewGuid():N}", cancellationToken);
    }

    public async Task<Guid> ActAsync(string objectName, string recordId, string incidentId, string actionType, JsonObject parameters, ClaimsPrincipal by,
        CancellationToken cancellationToken = default) =>
        await ActAsync(objectName, recordId, incidentId, actionType, parameters, await WriterAsync(by, cancellationToken), cancellationToken);

    internal async Task<Guid> ActAsync(string objectName, string recordId, string incidentId, string actionType, JsonObject parameters, string requestedBy,
        CancellationToken cancellationToken = default)
    {
        var problems = Read(actionType, parameters, out var action);
        if (problems.Count > 0 || action is null) throw new PortalValidationException(problems);
        return await PlanAsync(objectName, recordId, incidentId, action, requestedBy, null, cancellationToken);
    }

    /// The record as people name it ("Case 00000042"), or null when there is no such record of `objectName`.
    private async Task<string?> RecordNameAsync(PortalDbContext db, string objectName, string recordId, CancellationToken cancellationToken)
    {
        var fields = await db.Records.AsNoTracking().Where(r => r.Id == recordId && r.ObjectName == objectName).Select(r => r.FieldsJson)
            .FirstOrDefaultAsync(cancellationToken);
        if (fields is null) return null;
        return (await catalog.GetAsync(cancellationToken)).Find(objectName)?.RecordName(recordId, JsonNode.Parse(fields) as JsonObject) ?? $"{objectName} {recordId}";
    }

    private async Task<string> WriterAsync(ClaimsPrincipal by, CancellationToken cancellationToken) =>
        (await access.DemandAsync(by, Permissions.RecordsWrite, cancellationToken)).Name;

    private async Task<Guid> PlanAsync(string objectName, string recordId, string? incidentId, RuleAction planned, string requestedBy, string? key,
        CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var recordName = await RecordNameAsync(db, objectName, recordId, cancellationToken)
            ?? throw new PortalNotFoundException($"There is no {objectName} record '{recordId}'.");
        string? incidentLabel = null;
        if (incidentId is not null)
        {
            var link = await db.IncidentLinks.AsNoTracking().Where(l => l.RecordId == recordId && l.IncidentId == incidentId)
                .Select(l => new { l.Number, l.Status }).FirstOrDefaultAsync(cancellationToken)
                ?? throw new PortalValidationException("incidentId", $"Incident {incidentId} is not linked to this record.");
            // PagerDuty refuses these on a resolved incident: say so now rather than dead-letter it
            incidentLabel = $" on incident #{link.Number?.ToString() ?? incidentId}";
            if (planned.Kind.NotOnResolved && link.Status == "resolved")
                throw new PortalValidationException("type", $"Incident #{link.Number?.ToString() ?? incidentId} is resolved: PagerDuty does not take '{planned.Kind.Verb}' on a resolved incident.");
        }
        var payload = RuleActionJson.ToJsonObject(planned);
        var now = clock.GetUtcNow().UtcDateTime;
        var action = new PlannedActionEntity
        {
            Id = Guid.CreateVersion7(), CreatedUtc = now, NextAttemptUtc = now, ActionType = planned.Type,
            PayloadJson = payload.ToJsonString(), ObjectName = objectName, RecordId = recordId, IncidentId = incidentId,
            RequestedBy = requestedBy, CorrelationId = Guid.CreateVersion7(), IdempotencyKey = key,
        };
        db.PlannedActions.Add(action);
        await db.SaveChangesAsync(cancellationToken);
        log.Write(LogLevel.Info, LogCategories.Action, $"{requestedBy} asked for {action.ActionType}{incidentLabel} from the console on {recordName}", action.CorrelationId, recordId, incidentId,
            new { payload });
        return action.Id;
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.PagerDuty;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Core.Webhooks;

namespace Portal.Core.Sandbox;

/// A simulated PagerDuty account inside the portal: it answers the same calls as the live API, keeps its incidents
/// and notes in the portal's database, checks requests the way PagerDuty does, and sends the webhooks a real account
/// would send (so rules on PagerDuty events can be tried): each is stored in the webhook table in the transaction of
/// the change that raised it, and processed from there like a real delivery.
public sealed partial class SandboxPagerDuty(
    IDbContextFactory<PortalDbContext> dbFactory, WebhookSignal webhooks, Logging.IntegrationLog log, TimeProvider clock,
    Microsoft.AspNetCore.DataProtection.IDataProtectionProvider dataProtection, IServiceProvider services,
    Microsoft.Extensions.Logging.ILogger<SandboxPagerDuty> logger) : IPagerDuty
{
    private static readonly SemaphoreSlim s_numbering = new(1, 1);
    /// The numbering row of the sandbox's incidents, beside the records' ones (`$` is never in an object's name).
    private const string SandboxSequence = "$SandboxIncidents";

    public async Task<PdIncident> CreateIncidentAsync(PdCreateIncident request, string from, CancellationToken cancellationToken)
    {
        RequireFrom(from);
        if (string.IsNullOrWhiteSpace(request.Title)) throw Invalid("Incident title can't be blank.");
        if (SandboxAccount.Name(SandboxAccount.Services, request.ServiceId) is null) throw Invalid($"Service {request.ServiceId} not found.");
        if (request.Urgency is not null and not ("high" or "low")) throw Invalid($"Urgency must be high or low, not {request.Urgency}.");
        if (request.PriorityId is not null && SandboxAccount.Name(SandboxAccount.Priorities, request.PriorityId) is null) throw Invalid($"Priority {request.PriorityId} not found.");
        if (request.EscalationPolicyId is not null && request.AssigneeIds is { Count: > 0 }) throw Invalid("Give either an escalation policy or assignees, not both.");

        await s_numbering.WaitAsync(cancellationToken);
        PdIncident created;
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (request.IncidentKey is not null)
            {
                var open = await db.SandboxIncidents.AsNoTracking()
                    .FirstOrDefaultAsync(i => i.IncidentKey == request.IncidentKey && i.Status != "resolved", cancellationToken);
                if (open is not null) return ToIncident(open);
            }
            var now = clock.GetUtcNow().UtcDateTime;
            var policy = request.EscalationPolicyId ?? SandboxAccount.EscalationPolicyOf(request.ServiceId);
            var assignees = request.AssigneeIds is { Count: > 0 }
                ? request.AssigneeIds.Select(id => SandboxAccount.Users.FirstOrDefault(u => u.User.Id == id).User?.Name ?? id).ToList()
                : [SandboxAccount.OnCallFor(policy)];
            var incident = new SandboxIncidentEntity
            {
                Id = NewId("Q"),
                // a sequence, not max + 1: two instances on one PostgreSQL database never number two incidents alike
                Number = await NumberSequences.TakeAsync(db, SandboxSequence,
                    (await db.SandboxIncidents.MaxAsync(i => (long?)i.Number, cancellationToken) ?? 0) + 1, cancellationToken),
                Title = IncidentTitle.Cut(request.Title.Trim()),
                Urgency = request.Urgency ?? "high",
                PriorityId = request.PriorityId,
                ServiceId = request.ServiceId,
                EscalationPolicyId = policy,
                IncidentKey = request.IncidentKey,
                AssigneesJson = JsonSerializer.Serialize(assignees),
                Details = request.Details,
                CreatedUtc = now,
                UpdatedUtc = now,
            };
            db.SandboxIncidents.Add(incident);
            db.SandboxNotes.Add(LogEntry(incident.Id, "trigger_log_entry", $"Triggered through the API by {from}; assigned to {string.Join(", ", assignees)}", from));
            created = ToIncident(incident);
            await SaveAsync(db, [Event("incident.triggered", created, from)], cancellationToken);
        }
        finally
        {
            s_numbering.Release();
        }
        return created;
    }

    public async Task<PdIncident?> FindIncidentByKeyAsync(string incidentKey, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var incident = await db.SandboxIncidents.AsNoTracking().Where(i => i.IncidentKey == incidentKey)
            .OrderByDescending(i => i.Number).FirstOrDefaultAsync(cancellationToken);
        return incident is null ? null : ToIncident(incident);
    }

    public async Task<PdIncident> GetIncidentAsync(string incidentId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return ToIncident(await FindAsync(db, incidentId, cancellationToken));
    }

    /// The sandbox's incidents, newest first, for the "act as the on-call responder" panel.
    public async Task<IReadOnlyList<PdIncident>> ListIncidentsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var incidents = await db.SandboxIncidents.AsNoTracking().OrderByDescending(i => i.Number).Take(limit).ToListAsync(cancellationToken);
        return incidents.Select(ToIncident).ToList();
    }

    public async Task<PdIncident> UpdateIncidentAsync(string incidentId, PdUpdateIncident update, string from, CancellationToken cancellationToken)
    {
        RequireFrom(from);
        if (update.Status is not null and not ("acknowledged" or "resolved" or "triggered")) throw Invalid($"Status {update.Status} is not valid.");
        if (update.Urgency is not null and not ("high" or "low")) throw Invalid($"Urgency must be high or low, not {update.Urgency}.");
        if (update.PriorityId is not null && SandboxAccount.Name(SandboxAccount.Priorities, update.PriorityId) is null) throw Invalid($"Priority {update.PriorityId} not found.");
        if (update.EscalationPolicyId is not null && SandboxAccount.Name(SandboxAccount.EscalationPolicies, update.EscalationPolicyId) is null)
            throw Invalid($"Escalation policy {update.EscalationPolicyId} not found.");

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var incident = await FindAsync(db, incidentId, cancellationToken);
        var raised = new List<string>();
        // PagerDuty says "already acknowledged/resolved" here; Portal counts that as done, so the sandbox just answers.
        if (update.Status is { } status && status != incident.Status && incident.Status != "resolved")
        {
            incident.Status = status;
            raised.Add(status switch { "acknowledged" => "incident.acknowledged", "resolved" => "incident.resolved", _ => "incident.unacknowledged" });
            db.SandboxNotes.Add(status switch
            {
                "acknowledged" => LogEntry(incident.Id, "acknowledge_log_entry", $"Acknowledged by {from}", from),
                "resolved" => LogEntry(incident.Id, "resolve_log_entry", $"Resolved by {from}", from),
                _ => LogEntry(incident.Id, "unacknowledge_log_entry", $"Unacknowledged by {from}", from),
            });
            if (status == "resolved" && !string.IsNullOrWhiteSpace(update.Resolution))
                db.SandboxNotes.Add(new SandboxNoteEntity { Id = NewId("N"), IncidentId = incident.Id, Content = $"Resolution: {update.Resolution}", UserName = from, CreatedUtc = clock.GetUtcNow().UtcDateTime });
        }
        if (update.PriorityId is not null && update.PriorityId != incident.PriorityId)
        {
            incident.PriorityId = update.PriorityId;
            raised.Add("incident.priority_updated");
            db.SandboxNotes.Add(LogEntry(incident.Id, "field_value_change_log_entry",
                $"Priority changed to {SandboxAccount.Name(SandboxAccount.Priorities, update.PriorityId) ?? update.PriorityId} by {from}", from));
        }
        if (update.Urgency is not null && update.Urgency != incident.Urgency)
        {
            incident.Urgency = update.Urgency;
            db.SandboxNotes.Add(LogEntry(incident.Id, "urgency_change_log_entry", $"Urgency changed to {update.Urgency} by {from}", from));
        }
        if (update.Title is not null) incident.Title = IncidentTitle.Cut(update.Title);
        if (update.ConferenceBridge is { } bridge)
            db.SandboxNotes.Add(LogEntry(incident.Id, "field_value_change_log_entry",
                $"Conference bridge set to {string.Join(" · ", new[] { bridge.Number, bridge.Url }.Where(v => !string.IsNullOrWhiteSpace(v)))} by {from}", from));
        if (update.EscalationPolicyId is not null || update.AssigneeIds is { Count: > 0 } || update.EscalationLevel is not null)
        {
            incident.EscalationPolicyId = update.EscalationPolicyId ?? incident.EscalationPolicyId;
            var names = update.AssigneeIds is { Count: > 0 }
                ? update.AssigneeIds.Select(id => SandboxAccount.Users.FirstOrDefault(u => u.User.Id == id).User?.Name ?? id).ToList()
                : [update.EscalationLevel is { } to ? SandboxAccount.OnCallFor(incident.EscalationPolicyId ?? "", to) : SandboxAccount.OnCallFor(incident.EscalationPolicyId ?? "")];
            incident.AssigneesJson = JsonSerializer.Serialize(names);
            raised.Add(update.EscalationLevel is null ? "incident.reassigned" : "incident.escalated");
            db.SandboxNotes.Add(update.EscalationLevel is { } level
                ? LogEntry(incident.Id, "escalate_log_entry", $"Escalated to level {level} by {from}; assigned to {string.Join(", ", names)}", from)
                : LogEntry(incident.Id, "assign_log_entry", $"Reassigned to {string.Join(", ", names)} by {from}", from));
        }
        incident.UpdatedUtc = clock.GetUtcNow().UtcDateTime;
        var result = ToIncident(incident);
        await SaveAsync(db, [.. raised.Select(type => Event(type, result, from))], cancellationToken);
        return result;
    }

    public async Task<PdNote> AddNoteAsync(string incidentId, string content, string from, CancellationToken cancellationToken)
    {
        RequireFrom(from);
        if (string.IsNullOrWhiteSpace(content)) throw Invalid("Note content can't be blank.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var incident = await FindAsync(db, incidentId, cancellationToken);
        var note = new SandboxNoteEntity { Id = NewId("N"), IncidentId = incident.Id, Content = content, UserName = from, CreatedUtc = clock.GetUtcNow().UtcDateTime };
        db.SandboxNotes.Add(note);
        await SaveAsync(db, [Event("incident.annotated", ToIncident(incident), from, new WebhookNote(note.Id, content))], cancellationToken);
        return new PdNote(note.Id, note.Content, note.CreatedUtc, note.UserName);
    }

    public async Task<IReadOnlyList<PdNote>> ListNotesAsync(string incidentId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var notes = await db.SandboxNotes.AsNoTracking().Where(n => n.IncidentId == incidentId && n.Kind != LogKind)
            .OrderByDescending(n => n.CreatedUtc).ToListAsync(cancellationToken);
        return notes.Select(n => new PdNote(n.Id, n.Kind == "statusUpdate" ? $"Status update: {n.Content}" : n.Content, n.CreatedUtc, n.UserName)).ToList();
    }

    public async Task<IReadOnlyList<PdLogEntry>> ListLogEntriesAsync(string incidentId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var incident = await FindAsync(db, incidentId, cancellationToken);
        var entries = await db.SandboxNotes.AsNoTracking().Where(n => n.IncidentId == incident.Id && n.Kind == LogKind)
            .OrderByDescending(n => n.CreatedUtc).ToListAsync(cancellationToken);
        // the log entry's type is kept in front of its summary: "acknowledge_log_entry|Acknowledged by …"
        return entries.Select(e => e.Content.Split('|', 2) is [var type, var summary]
            ? new PdLogEntry(e.Id, type, summary, e.CreatedUtc, e.UserName)
            : new PdLogEntry(e.Id, "log_entry", e.Content, e.CreatedUtc, e.UserName)).ToList();
    }

    /// Sandbox log entries are kept with the notes, marked as such.
    private const string LogKind = "log";

    private SandboxNoteEntity LogEntry(string incidentId, string type, string summary, string by) =>
        new() { Id = NewId("R"), IncidentId = incidentId, Kind = LogKind, Content = $"{type}|{summary}", UserName = by, CreatedUtc = clock.GetUtcNow().UtcDateTime };

    public async Task AddRespondersAsync(string incidentId, string requesterUserId, IReadOnlyList<string> userIds, IReadOnlyList<string> escalationPolicyIds,
        string message, string from, CancellationToken cancellationToken)
    {
        if (userIds.Count + escalationPolicyIds.Count == 0) throw Invalid("Name at least one user or escalation policy as responder.");
        var names = userIds.Select(id => SandboxAccount.Users.FirstOrDefault(u => u.User.Id == id).User?.Name ?? throw Invalid($"User {id} not found."))
            .Concat(escalationPolicyIds.Select(id => SandboxAccount.Name(SandboxAccount.EscalationPolicies, id) ?? throw Invalid($"Escalation policy {id} not found.")));
        await AddSystemNoteAsync(incidentId, $"{ResponderNote}{string.Join(", ", names)}. {message}", ("incident.responder.added", from, message), cancellationToken);
    }

    public async Task<PdStatusUpdate> AddStatusUpdateAsync(string incidentId, string message, string from, CancellationToken cancellationToken)
    {
        RequireFrom(from);
        if (string.IsNullOrWhiteSpace(message)) throw Invalid("A status update needs a message.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var incident = await FindAsync(db, incidentId, cancellationToken);
        var update = new SandboxNoteEntity { Id = NewId("S"), IncidentId = incident.Id, Content = message, Kind = "statusUpdate", UserName = from, CreatedUtc = clock.GetUtcNow().UtcDateTime };
        db.SandboxNotes.Add(update);
        // as PagerDuty: the webhook's data is the update itself (`incident_status_update`), with the id the POST answered
        await SaveAsync(db, [Event("incident.status_update_published", ToIncident(incident), from, statusUpdate: new WebhookStatusUpdate(update.Id, message, By: from))],
            cancellationToken);
        return new PdStatusUpdate(update.Id, message, update.CreatedUtc, from);
    }

    public async Task<IReadOnlyList<PdResponderRequest>> ListResponderRequestsAsync(string incidentId, CancellationToken cancellationToken) =>
        (await SystemNotesAsync(incidentId, ResponderNote, cancellationToken))
            .Select(n => new PdResponderRequest(n.Content[(n.Content.IndexOf(". ", StringComparison.Ordinal) + 2)..], n.CreatedUtc)).ToList();

    public async Task<IReadOnlyList<DateTime>> ListAutomationInvocationsAsync(string actionId, string incidentId, CancellationToken cancellationToken) =>
        (await SystemNotesAsync(incidentId, AutomationNote(actionId), cancellationToken)).Select(n => n.CreatedUtc).ToList();

    private const string ResponderNote = "Responders requested: ";

    private static string AutomationNote(string actionId) => $"Automation action {actionId} invoked (sandbox).";

    private async Task<List<SandboxNoteEntity>> SystemNotesAsync(string incidentId, string startingWith, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var incident = await FindAsync(db, incidentId, cancellationToken);
        return await db.SandboxNotes.AsNoTracking().Where(n => n.IncidentId == incident.Id && n.Content.StartsWith(startingWith)).ToListAsync(cancellationToken);
    }

    public Task RunIncidentWorkflowAsync(string workflowId, string incidentId, CancellationToken cancellationToken) =>
        AddSystemNoteAsync(incidentId, $"Incident workflow {workflowId} started (sandbox).", null, cancellationToken);

    public async Task SetCustomFieldValuesAsync(string incidentId, IReadOnlyDictionary<string, System.Text.Json.JsonElement> values, string from,
        CancellationToken cancellationToken)
    {
        RequireFrom(from);
        await AddSystemNoteAsync(incidentId, $"Custom fields set by {from}: {string.Join(", ", values.Select(v => $"{v.Key} = {v.Value.GetRawText()}"))} (sandbox).",
            null, cancellationToken);
    }

    public Task RunAutomationActionAsync(string actionId, string incidentId, CancellationToken cancellationToken) =>
        AddSystemNoteAsync(incidentId, AutomationNote(actionId), null, cancellationToken);

    public Task<IReadOnlyList<PdReference>> ListServicesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<PdReference>>(SandboxAccount.Services);
    public Task<IReadOnlyList<PdReference>> ListEscalationPoliciesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<PdReference>>(SandboxAccount.EscalationPolicies);
    public Task<IReadOnlyList<PdReference>> ListPrioritiesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<PdReference>>(SandboxAccount.Priorities);
    public Task<IReadOnlyList<PdReference>> ListUsersAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PdReference>>(SandboxAccount.Users.Select(u => u.User with { Email = u.Email }).ToList());

    public Task<string?> FindUserIdByEmailAsync(string email, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(SandboxAccount.Users.FirstOrDefault(u => string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase)).User?.Id ?? SandboxAccount.Users[0].User.Id);

    public Task<PdConnectionCheck> CheckConnectionAsync(string from, CancellationToken cancellationToken) =>
        Task.FromResult(new PdConnectionCheck(true, "Sandbox: a simulated PagerDuty account inside Portal. Enter an API key to connect a real account."));

    private async Task AddSystemNoteAsync(string incidentId, string content, (string Type, string Agent, string Message)? raises,
        CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var incident = await FindAsync(db, incidentId, cancellationToken);
        db.SandboxNotes.Add(new SandboxNoteEntity { Id = NewId("N"), IncidentId = incident.Id, Content = content, UserName = "PagerDuty (sandbox)", CreatedUtc = clock.GetUtcNow().UtcDateTime });
        await SaveAsync(db, raises is { } e ? [Event(e.Type, ToIncident(incident), e.Agent, responderMessage: e.Message)] : [], cancellationToken);
    }

    private static async Task<SandboxIncidentEntity> FindAsync(PortalDbContext db, string incidentId, CancellationToken cancellationToken) =>
        // like PagerDuty, an incident may be named by its number
        await (long.TryParse(incidentId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? db.SandboxIncidents.FirstOrDefaultAsync(i => i.Number == number, cancellationToken)
            : db.SandboxIncidents.FirstOrDefaultAsync(i => i.Id == incidentId, cancellationToken))
            ?? throw new PagerDutyException(404, "Not Found", 2100, [$"Incident {incidentId} not found."]);

    private WebhookEventEntity Event(string eventType, PdIncident incident, string agent, WebhookNote? note = null, WebhookStatusUpdate? statusUpdate = null,
        string? responderMessage = null) =>
        SandboxWebhooks.Event(NewId("01"), eventType, clock.GetUtcNow(), incident, agent, note, statusUpdate, responderMessage);

    /// Saves the sandbox change with the webhooks it raised in one transaction, then wakes the webhook processor and
    /// logs each as received, as the intake does. One save per webhook: EF Core does not promise to insert the rows of
    /// one save in the order they were added, and the processor takes them by id, so in the order raised.
    private async Task SaveAsync(PortalDbContext db, IReadOnlyList<WebhookEventEntity> raised, CancellationToken cancellationToken)
    {
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.SaveChangesAsync(cancellationToken);
            foreach (var row in raised)
            {
                db.WebhookEvents.Add(row);
                await db.SaveChangesAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        if (raised.Count == 0) return;
        webhooks.Set();
        foreach (var row in raised)
        {
            using var body = JsonDocument.Parse(row.Body);
            if (PagerDutyWebhookEvent.Parse(body.RootElement) is { } e) WebhookIntake.LogReceived(log, e, null, Encoding.UTF8.GetByteCount(row.Body));
        }
    }

    private static PdIncident ToIncident(SandboxIncidentEntity i) => new(
        i.Id, i.Number, i.Title, i.Status, i.Urgency, i.PriorityId, SandboxAccount.Name(SandboxAccount.Priorities, i.PriorityId),
        i.ServiceId, SandboxAccount.Name(SandboxAccount.Services, i.ServiceId), i.EscalationPolicyId,
        SandboxAccount.Name(SandboxAccount.EscalationPolicies, i.EscalationPolicyId), $"{SandboxAccount.HtmlBase}/incidents/{i.Id}",
        i.IncidentKey, i.CreatedUtc, JsonSerializer.Deserialize<List<string>>(i.AssigneesJson) ?? []);

    private static void RequireFrom(string from)
    {
        if (string.IsNullOrWhiteSpace(from) || !from.Contains('@'))
            throw new PagerDutyException(400, "Invalid Input Provided", 2001, ["You must specify a user's email address in the \"From\" header to perform this action."]);
    }

    private static PagerDutyException Invalid(string detail) => new(400, "Invalid Input Provided", 2001, [detail]);

    private static string NewId(string prefix)
    {
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        Span<char> id = stackalloc char[12];
        for (var i = 0; i < id.Length; i++) id[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return prefix + new string(id);
    }
}

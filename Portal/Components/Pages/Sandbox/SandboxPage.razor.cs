using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Core;
using Portal.Core.Notifications;
using Portal.Core.PagerDuty;
using Portal.Core.Sandbox;
using Portal.Core.Security;

namespace Portal.Components.Pages.Sandbox;

/// Act as the on-call responder on the sandbox account; each action goes through `SandboxResponder`, which checks the
/// caller and sends Portal the webhooks PagerDuty would.
public sealed partial class SandboxPage
{
    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private PagerDutyMode _mode;
    private bool _canAct;
    private IReadOnlyList<PdIncident> _incidents = [];

    protected override async Task OnInitializedAsync()
    {
        _canAct = PortalClaims.Has((await AuthenticationState).User, Permissions.RecordsWrite);
        _mode = (await Connection.StatusAsync()).Mode;
        await LoadAsync();
        _changes = Notifier.Subscriptions().On<IncidentEventProcessed>(OnEvent);
    }

    private async Task LoadAsync() => _incidents = _mode == PagerDutyMode.Sandbox ? await Sandbox.ListIncidentsAsync(100, CancellationToken.None) : [];

    private Task AcknowledgeAsync(PdIncident incident) => UpdateAsync(incident, new PdUpdateIncident(Status: "acknowledged"), "acknowledged");

    private Task ResolveAsync(PdIncident incident) =>
        UpdateAsync(incident, new PdUpdateIncident(Status: "resolved", Resolution: "Resolved by the sandbox responder"), "resolved");

    private Task UpdateAsync(PdIncident incident, PdUpdateIncident update, string what) =>
        ActAsync(async by => { await Responder.UpdateAsync(incident.Id, update, by); return $"Incident {incident.Number}: {what}."; });

    private Task EscalateAsync(PdIncident incident, int level) =>
        ActAsync(async by => { await Responder.EscalateAsync(incident.Id, level, by); return $"Incident {incident.Number}: escalated to level {level}."; });

    private async Task TriggerAsync()
    {
        if (await ActAsync(async by =>
            {
                var created = await Responder.TriggerAsync(_serviceId, _title, _urgency, by);
                return $"Incident {created.Number} triggered on {created.ServiceName}.";
            }))
            _title = null;
    }

    private void OpenNote(PdIncident incident) => (_noteFor, _note, _errors) = (incident, null, NoErrors);

    private async Task AddNoteAsync(PdIncident incident)
    {
        if (await ActAsync(async by => { await Responder.AddNoteAsync(incident.Id, _note, by); return $"Incident {incident.Number}: note added."; }))
            (_noteFor, _note) = (null, null);
    }

    /// Runs one responder action as the signed-in user and says what it did; bad input shows beside its field. True when it was done.
    private async Task<bool> ActAsync(Func<ClaimsPrincipal, Task<string>> act)
    {
        var ok = false;
        try
        {
            var done = await act((await AuthenticationState).User);
            _errors = NoErrors;
            Snackbar.Add(done, Severity.Success);
            ok = true;
        }
        catch (PortalValidationException e)
        {
            _errors = e.Errors;
        }
        catch (PagerDutyException e)
        {
            Snackbar.Add(e.Describe(), Severity.Error);
        }
        catch (PortalForbiddenException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        await LoadAsync();
        return ok;
    }

    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();
    private IReadOnlyDictionary<string, string[]> _errors = NoErrors;
    private string? _serviceId = SandboxAccount.Services[0].Id, _title, _note;
    private string _urgency = "high";
    private PdIncident? _noteFor;

    private bool Has(string key) => _errors.ContainsKey(key);
    private string? Message(string key) => _errors.TryGetValue(key, out var m) ? string.Join(" ", m) : null;

    private ChangeSubscriptions? _changes;

    private void OnEvent(IncidentEventProcessed change) => _ = InvokeAsync(async () => { await LoadAsync(); StateHasChanged(); });

    public void Dispose() => _changes?.Dispose();
}

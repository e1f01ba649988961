using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using MudBlazor;
using Portal.Core;
using Portal.Core.Notifications;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Security;
using Portal.Core.Settings;

namespace Portal.Components.Pages.Configuration;

public sealed partial class ObjectMappingsPage
{
    [Inject] private ObjectCatalog Catalog { get; set; } = default!;
    [Inject] private SettingsStore Settings { get; set; } = default!;
    [Inject] private IOptions<PagerDutyOptions> PagerDutyOptions { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ChangeNotifier Notifier { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private IReadOnlyList<ObjectTypeInfo> _objects = [];
    private ConsoleSettings _console = new();
    private bool _canWrite, _sync, _caseCreation, _caseComments, _incidentCreation, _emailFromConfiguration;
    private string? _email, _emailError;
    private string? _newName, _newLabel;
    private bool _newRunRules = true;
    private IReadOnlyDictionary<string, string[]> _newErrors = new Dictionary<string, string[]>();
    private ChangeSubscriptions? _changes;

    // the label being typed per object type; the field being edited; a refusal beside the object type or field it is about
    private readonly Dictionary<string, string?> _labels = new(StringComparer.Ordinal);
    private (string Object, string Field)? _editing;
    private readonly Dictionary<(string About, string Key), string> _errors = [];

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthenticationState).User;
        _canWrite = PortalClaims.Has(user, Permissions.ConfigWrite);
        var settings = await Settings.GetAsync(IntegrationSettings.Key, () => new IntegrationSettings());
        (_sync, _caseCreation, _caseComments, _incidentCreation) =
            (settings.SyncCommentsToNotes, settings.RunRulesOnCaseCreation, settings.RunRulesOnCaseComments, settings.RunRulesOnIncidentCreation);
        _emailFromConfiguration = !string.IsNullOrWhiteSpace(PagerDutyOptions.Value.FromEmail);
        _email = _emailFromConfiguration ? PagerDutyOptions.Value.FromEmail : settings.IntegrationEmail;
        await ReloadAsync();
        // a change made elsewhere (another page, the API, another instance) shows here too
        _changes = Notifier.Subscriptions().On<ObjectCatalogChanged>(OnCatalogChanged);
    }

    private void OnCatalogChanged(ObjectCatalogChanged change) => _ = InvokeAsync(async () =>
    {
        _objects = (await Catalog.GetAsync()).Objects;
        StateHasChanged();
    });

    public void Dispose() => _changes?.Dispose();

    private async Task ReloadAsync()
    {
        _objects = (await Catalog.GetAsync()).Objects;
        _console = await Settings.GetAsync(ConsoleSettings.Key, () => new ConsoleSettings());
    }

    private async Task SaveSettingsAsync()
    {
        if (!_canWrite) return;
        var email = _email?.Trim();
        if (!_emailFromConfiguration && !string.IsNullOrEmpty(email) && !System.Net.Mail.MailAddress.TryCreate(email, out _))
        {
            _emailError = "Enter a valid e-mail address, or leave it empty.";
            return;
        }
        _emailError = null;
        var current = await Settings.GetAsync(IntegrationSettings.Key, () => new IntegrationSettings());
        if (!await SaveAsync(IntegrationSettings.Key, current with
        {
            SyncCommentsToNotes = _sync, RunRulesOnCaseCreation = _caseCreation, RunRulesOnCaseComments = _caseComments,
            RunRulesOnIncidentCreation = _incidentCreation,
            IntegrationEmail = _emailFromConfiguration ? current.IntegrationEmail : (string.IsNullOrEmpty(email) ? null : email),
        })) return;
        Snackbar.Add("Integration settings saved.", Severity.Success);
    }

    private async Task SetPlacementAsync(ObjectTypeInfo type, string placement)
    {
        if (!_canWrite) return;
        var console = _console.With(type.Name, placement);
        if (!await SaveAsync(ConsoleSettings.Key, console)) return;
        _console = console;
        Snackbar.Add($"{type.Label} records show the {ConsoleSettings.Label(placement)}.", Severity.Success);
    }

    /// Saves a setting as the signed-in person, or says why it was refused (the account changed since the page opened).
    private async Task<bool> SaveAsync<T>(string key, T value) where T : class, new()
    {
        try
        {
            await Settings.SaveAsync(key, value, (await AuthenticationState).User);
            return true;
        }
        catch (PortalForbiddenException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
            return false;
        }
    }

    private async Task SetRunRulesAsync(ObjectTypeInfo type, bool runRules)
    {
        if (!_canWrite) return;
        if (!await ChangeAsync(type.Name, user => Catalog.SetRunRulesAsync(type.Name, runRules, user))) return;
        Snackbar.Add($"{type.Label}: {(runRules ? "changes run rules" : "changes no longer run rules")}.", Severity.Success);
    }

    private string? LabelDraft(ObjectTypeInfo type) => _labels.TryGetValue(type.Name, out var label) ? label : type.Label;

    private async Task RelabelAsync(ObjectTypeInfo type)
    {
        if (!await ChangeAsync(type.Name, user => Catalog.UpdateAsync(type.Name, new ObjectTypeChange(Label: LabelDraft(type) ?? ""), user))) return;
        _labels.Remove(type.Name);
        Snackbar.Add($"Object type {type.Name} is labelled '{(await Catalog.GetAsync()).Get(type.Name).Label}'.", Severity.Success);
    }

    private async Task RemoveObjectAsync(ObjectTypeInfo type)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Remove object type",
            $"Remove the object type {type.Name} and its {Counted.Of(type.Fields.Count, "field")}? Portal refuses while records, incident links or rules use it.",
            yesText: "Remove", cancelText: "Cancel");
        if (confirmed != true) return;
        if (!await ChangeAsync(type.Name, user => Catalog.RemoveAsync(type.Name, user))) return;
        Snackbar.Add($"Object type {type.Name} removed.", Severity.Success);
    }

    private void Edit(ObjectTypeInfo type, FieldInfo field)
    {
        _errors.Remove(($"{type.Name}.{field.Name}", "field"));
        _editing = _editing == (type.Name, field.Name) ? null : (type.Name, field.Name);
    }

    private async Task FieldEditedAsync()
    {
        _editing = null;
        await ReloadAsync();
    }

    private async Task RemoveFieldAsync(ObjectTypeInfo type, FieldInfo field)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync("Remove field",
            $"Remove the field {type.Name}.{field.Name}? Portal refuses while a record holds a value for it or a rule uses it.",
            yesText: "Remove", cancelText: "Cancel");
        if (confirmed != true) return;
        if (!await ChangeAsync($"{type.Name}.{field.Name}", user => Catalog.RemoveFieldAsync(type.Name, field.Name, user))) return;
        if (_editing == (type.Name, field.Name)) _editing = null;
        Snackbar.Add($"Field {type.Name}.{field.Name} removed.", Severity.Success);
    }

    /// Makes a change to the object types as the signed-in person; a refusal is shown beside what it is about.
    private async Task<bool> ChangeAsync(string about, Func<System.Security.Claims.ClaimsPrincipal, Task> change)
    {
        if (!_canWrite) return false;
        var user = (await AuthenticationState).User;
        foreach (var key in _errors.Keys.Where(k => k.About == about).ToList()) _errors.Remove(key);
        try
        {
            await change(user);
        }
        catch (PortalValidationException e)
        {
            foreach (var (key, messages) in e.Errors) _errors[(about, key)] = string.Join(" ", messages);
            return false;
        }
        catch (PortalConflictException e)
        {
            _errors[(about, e.Field)] = e.Message;
            return false;
        }
        catch (Exception e) when (e is PortalForbiddenException or PortalNotFoundException)
        {
            Snackbar.Add(e.Message, Severity.Error);
            return false;
        }
        await ReloadAsync();
        return true;
    }

    private string? ErrorFor(string about, string key) => _errors.GetValueOrDefault((about, key));

    private async Task DefineAsync()
    {
        try
        {
            var created = await Catalog.DefineAsync(new ObjectTypeDto(_newName ?? "", _newLabel, _newRunRules, []), (await AuthenticationState).User);
            _newErrors = new Dictionary<string, string[]>();
            (_newName, _newLabel) = (null, null);
            await ReloadAsync();
            Snackbar.Add($"Object type {created.Name} created; add its fields below.", Severity.Success);
        }
        catch (PortalValidationException e)
        {
            _newErrors = e.Errors;
        }
        catch (PortalForbiddenException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
    }

    private string? Message(string key) => _newErrors.TryGetValue(key, out var m) ? string.Join(" ", m) : null;
}

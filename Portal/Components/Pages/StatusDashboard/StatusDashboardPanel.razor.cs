using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Core;
using Portal.Core.Dispatch;
using Portal.Core.Links;
using Portal.Core.Notifications;
using Portal.Core.PagerDuty;
using Portal.Core.Security;
using Portal.Core.StatusDashboard;
using Portal.Security;

namespace Portal.Components.Pages.StatusDashboard;

public sealed partial class StatusDashboardPanel : IDisposable
{
    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(60);
    // one outage can impact many business services through many incidents: each shows its newest few until asked
    private const int IncidentsShown = 3;

    [Inject] private BusinessImpacts Impacts { get; set; } = default!;
    [Inject] private ConsoleActions Console { get; set; } = default!;
    [Inject] private IncidentLinks Links { get; set; } = default!;
    [Inject] private ChangeNotifier Notifier { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    /// With `RecordId`: the record that "Link to this record" links incidents to (its object type, e.g. `Case`).
    [Parameter] public string? ObjectName { get; set; }
    [Parameter] public string? RecordId { get; set; }
    /// The signed-in person may write records (records.write); the panel checks the permission again itself.
    [Parameter] public bool CanWrite { get; set; }
    [Parameter] public string? Class { get; set; }
    /// The height of the scrolling list of business services.
    [Parameter] public string MaxHeight { get; set; } = "70vh";

    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<string> _toggled = new(StringComparer.Ordinal);
    private readonly HashSet<string> _showAll = new(StringComparer.Ordinal);
    private StatusDashboardView? _view;
    private List<BusinessServiceStatus> _services = [];
    private HashSet<string> _linked = new(StringComparer.Ordinal);
    private bool _canLink;
    private bool _loading;
    private string? _linking;
    private ChangeSubscriptions? _changes;

    protected override async Task OnParametersSetAsync()
    {
        var user = AuthenticationState is null ? null : (await AuthenticationState).User;
        _canLink = CanWrite && user is not null && PortalClaims.Has(user, Permissions.RecordsWrite)
            && !string.IsNullOrEmpty(ObjectName) && !string.IsNullOrEmpty(RecordId);
        await LoadLinksAsync();
        await LoadAsync(false);
        if (_changes is null)
        {
            _changes = Notifier.Subscriptions().On<BusinessImpactsChanged>(OnChanged).On<RecordLinksChanged>(OnLinksChanged);
            _ = PollAsync(_disposed.Token);
        }
    }

    private async Task LoadAsync(bool refresh)
    {
        _loading = true;
        try
        {
            _view = await Impacts.GetAsync(refresh, _disposed.Token);
            _services = _view.Services as List<BusinessServiceStatus> ?? _view.Services.ToList();
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
        }
        finally
        {
            _loading = false;
        }
    }

    private async Task LoadLinksAsync()
    {
        _linked = RecordId is null || !_canLink ? new(StringComparer.Ordinal)
            : (await Links.ForRecordAsync(RecordId)).Select(l => l.IncidentId).ToHashSet(StringComparer.Ordinal);
    }

    private Task RefreshAsync() => LoadAsync(true);

    // Impacted services show their incidents unless folded; the others have none to show.
    private bool IsExpanded(BusinessServiceStatus service) => service.Incidents.Count > 0 && !_toggled.Contains(service.Id);

    private IReadOnlyList<ImpactingIncident> Shown(BusinessServiceStatus service) =>
        _showAll.Contains(service.Id) || service.Incidents.Count <= IncidentsShown ? service.Incidents : service.Incidents.Take(IncidentsShown).ToList();

    private void Toggle(string serviceId)
    {
        if (!_toggled.Remove(serviceId)) _toggled.Add(serviceId);
    }

    private async Task LinkAsync(ImpactingIncident incident)
    {
        if (!_canLink || ObjectName is null || RecordId is null || AuthenticationState is null) return;
        _linking = incident.Id;
        try
        {
            await Console.LinkExistingAsync(ObjectName, RecordId, incident.Id, (await AuthenticationState).User);
            _linked.Add(incident.Id);
            Snackbar.Add($"Linked incident #{incident.Number} to this record.", Severity.Success);
        }
        catch (PortalValidationException e)
        {
            Snackbar.Add(string.Join(" ", e.Errors.Values.SelectMany(m => m)), Severity.Error);
        }
        catch (Exception e) when (e is PortalNotFoundException or PortalForbiddenException)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        catch (PagerDutyException e)
        {
            Snackbar.Add($"PagerDuty: {e.Describe()}", Severity.Error);
        }
        finally
        {
            _linking = null;
        }
    }

    // PagerDuty is read at most once a minute for all pages (the service caches); webhooks bring changes sooner.
    private async Task PollAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(s_poll);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
                await InvokeAsync(async () => { await LoadAsync(false); StateHasChanged(); });
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void OnChanged(BusinessImpactsChanged change) => _ = InvokeAsync(async () =>
    {
        await LoadAsync(false);
        StateHasChanged();
    });

    private void OnLinksChanged(RecordLinksChanged changed)
    {
        if (changed.RecordId == RecordId) _ = InvokeAsync(async () => { await LoadLinksAsync(); StateHasChanged(); });
    }

    public void Dispose()
    {
        _changes?.Dispose();
        // cancelled, not disposed: a render already queued may still read its token
        _disposed.Cancel();
    }
}

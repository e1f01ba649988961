using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Core.Links;
using Portal.Core.Logging;
using Portal.Core.Notifications;
using Portal.Core.Records;
using LogLevel = Portal.Core.Logging.LogLevel;

namespace Portal.Components.Pages.Logs;

/// The log viewer. Its filters are kept in the address (`/logs?record=…`, `incident`, `correlation`, `level`,
/// `category`, `text`, `time`, `from`, `to`): other pages link straight to the entries about one record or incident,
/// and a reload, a bookmark or a copied address shows the same entries.
public sealed partial class LogsPage
{
    private static readonly (string Key, string Label)[] TimeRanges =
        [("any", "Any time"), ("15m", "Last 15 minutes"), ("1h", "Last hour"), ("24h", "Last 24 hours"), ("7d", "Last 7 days"), ("custom", "Between…")];

    [Inject] private IntegrationLog Log { get; set; } = default!;
    [Inject] private ChangeNotifier Notifier { get; set; } = default!;
    [Inject] private RecordStore Records { get; set; } = default!;
    [Inject] private IncidentLinks Links { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "record")] public string? RecordQuery { get; set; }
    [SupplyParameterFromQuery(Name = "incident")] public string? IncidentQuery { get; set; }
    [SupplyParameterFromQuery(Name = "correlation")] public Guid? CorrelationQuery { get; set; }
    [SupplyParameterFromQuery(Name = "level")] public string? LevelQuery { get; set; }
    [SupplyParameterFromQuery(Name = "category")] public string? CategoryQuery { get; set; }
    [SupplyParameterFromQuery(Name = "text")] public string? TextQuery { get; set; }
    [SupplyParameterFromQuery(Name = "time")] public string? TimeQuery { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? FromQuery { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? ToQuery { get; set; }
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    private MudDataGrid<LogEntryDto>? _grid;
    private LogLevel? _level;
    private string? _category, _text, _record, _incident, _rangeError;
    private string _range = "any";
    private string? _from, _to; // datetime-local values, read as UTC
    private Guid? _correlation;
    private bool _live, _drawerOpen;
    private LogEntryDto? _selected;
    private string? _selectedObject, _selectedIncidentUrl;
    private long? _selectedIncidentNumber;
    private string? _appliedQuery;

    private ChangeSubscriptions? _changes;

    protected override void OnInitialized() => _changes = Notifier.Subscriptions().On<LogEntriesStored>(OnWritten);

    protected override async Task OnParametersSetAsync()
    {
        var query = Key(RecordQuery, IncidentQuery, CorrelationQuery?.ToString(), LevelQuery, CategoryQuery, TextQuery, TimeQuery, FromQuery, ToQuery);
        if (query == _appliedQuery) return; // the address this page just wrote itself
        _appliedQuery = query;
        (_record, _incident, _correlation, _text) = (RecordQuery, IncidentQuery, CorrelationQuery, TextQuery);
        _level = Enum.TryParse<LogLevel>(LevelQuery, ignoreCase: true, out var level) ? level : null;
        _category = LogCategories.All.FirstOrDefault(c => c == CategoryQuery?.ToLowerInvariant());
        _range = TimeRanges.Any(r => r.Key == TimeQuery) ? TimeQuery! : "any";
        (_from, _to) = _range == "custom" ? (FromQuery, ToQuery) : (null, null);
        if (_grid is not null) await _grid.ReloadServerData();
    }

    /// The filters as the address holds them (null: not in the address).
    private Dictionary<string, object?> Address() => new()
    {
        ["record"] = Blank(_record), ["incident"] = Blank(_incident), ["correlation"] = _correlation?.ToString(), ["level"] = _level?.ToString(),
        ["category"] = Blank(_category), ["text"] = Blank(_text), ["time"] = _range == "any" ? null : _range,
        ["from"] = _range == "custom" ? Blank(_from) : null, ["to"] = _range == "custom" ? Blank(_to) : null,
    };

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Key(params string?[] values) => string.Join('|', values.Select(v => v ?? ""));

    /// The time filter as UTC bounds; a custom range whose end is before its start is refused with a message.
    private (DateTime? Since, DateTime? Until) Range()
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        return _range switch
        {
            "15m" => (now.AddMinutes(-15), null),
            "1h" => (now.AddHours(-1), null),
            "24h" => (now.AddDays(-1), null),
            "7d" => (now.AddDays(-7), null),
            "custom" => (AsUtc(_from), AsUtc(_to)),
            _ => (null, null),
        };
    }

    private static DateTime? AsUtc(string? value) =>
        DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;

    private LogQuery Query(int limit, int offset)
    {
        var (since, until) = Range();
        return new LogQuery(_level, _category, since, until, _text, _correlation,
            RecordId: string.IsNullOrWhiteSpace(_record) ? null : _record.Trim(), IncidentId: string.IsNullOrWhiteSpace(_incident) ? null : _incident.Trim(),
            Limit: limit, Offset: offset, OldestFirst: _correlation is not null);
    }

    private async Task<GridData<LogEntryDto>> LoadAsync(GridState<LogEntryDto> state, CancellationToken cancellationToken)
    {
        var (since, until) = Range();
        _rangeError = since > until ? "The end of the time range is before its start, so no entry can match." : null;
        var (entries, total) = await Log.QueryAsync(Query(state.PageSize, state.Page * state.PageSize), cancellationToken);
        return new GridData<LogEntryDto> { Items = entries, TotalItems = total };
    }

    /// Applies a filter and writes every filter to the address (replacing the history entry, so Back leaves the page).
    private Task SetAsync(Action change)
    {
        change();
        var address = Address();
        _appliedQuery = Key([.. new[] { "record", "incident", "correlation", "level", "category", "text", "time", "from", "to" }.Select(k => (string?)address[k])]);
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(address), replace: true);
        return _grid!.ReloadServerData();
    }

    private string ExportUrl(string format)
    {
        var q = Query(1000, 0);
        var query = new List<string> { $"format={format}" };
        if (q.Level is { } level) query.Add($"level={level}");
        if (!string.IsNullOrEmpty(q.Category)) query.Add($"category={Uri.EscapeDataString(q.Category)}");
        if (q.Since is { } since) query.Add($"since={Uri.EscapeDataString(since.ToString("O", CultureInfo.InvariantCulture))}");
        if (q.Until is { } until) query.Add($"until={Uri.EscapeDataString(until.ToString("O", CultureInfo.InvariantCulture))}");
        if (!string.IsNullOrWhiteSpace(q.Text)) query.Add($"text={Uri.EscapeDataString(q.Text)}");
        if (q.CorrelationId is { } correlation) query.Add($"correlationId={correlation}");
        if (q.RecordId is not null) query.Add($"recordId={Uri.EscapeDataString(q.RecordId)}");
        if (q.IncidentId is not null) query.Add($"incidentId={Uri.EscapeDataString(q.IncidentId)}");
        return "/api/logs/export?" + string.Join('&', query);
    }

    private async Task OpenAsync(DataGridRowClickEventArgs<LogEntryDto> args)
    {
        (_selected, _drawerOpen, _selectedObject, _selectedIncidentUrl, _selectedIncidentNumber) = (args.Item, true, null, null, null);
        if (args.Item.RecordId is { } recordId) _selectedObject = await Records.ObjectOfAsync(recordId);
        if (args.Item.IncidentId is { } incidentId && (await Links.ForIncidentAsync(incidentId)).FirstOrDefault() is { } link)
            (_selectedIncidentUrl, _selectedIncidentNumber) = (link.HtmlUrl, link.Number);
    }

    private Task FollowAsync(Guid correlation)
    {
        _drawerOpen = false;
        return SetAsync(() => (_correlation, _level, _category, _text, _record, _incident, _range) = (correlation, null, null, null, null, null, "any"));
    }

    private void OnWritten(LogEntriesStored change)
    {
        if (_live) _ = InvokeAsync(() => _grid!.ReloadServerData());
    }

    private static Color LevelColor(string level) => level switch
    {
        "Error" => Color.Error,
        "Warning" => Color.Warning,
        "Info" => Color.Info,
        _ => Color.Default,
    };

    public void Dispose() => _changes?.Dispose();
}

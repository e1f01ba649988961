using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;
using Portal.Core;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Core.Rulesets;
using Portal.Core.Security;
using Portal.Security;

namespace Portal.Components.Pages.Rulesets;

public sealed partial class RulesetsPage
{
    [Inject] private RulesetStore Store { get; set; } = default!;
    [Inject] private ObjectCatalog Catalog { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private Portal.Core.PagerDuty.PagerDutyDirectory Directory { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private RulesDraft? _draft;
    private CatalogSnapshot? _catalog;
    private System.Text.Json.Nodes.JsonObject? _replay;
    private string? _replayError;

    /// Set by the log viewer's "Dry-run again": the log entry whose event the Dry-run tab opens with.
    [SupplyParameterFromQuery(Name = "dryRunLog")] public long? DryRunLog { get; set; }
    [Inject] private DryRunReplay Replay { get; set; } = default!;
    [Inject] private ILogger<RulesetsPage> Logger { get; set; } = default!;
    private long _version;
    private bool _canWrite, _dirty;
    private int _tab;
    private List<string> _saveErrors = [], _importErrors = [];
    private string? _saveNote;

    private string DraftJson() => _draft!.ToJson(_catalog!.ToRulesSchema());

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthenticationState).User;
        _canWrite = PortalClaims.Has(user, Permissions.RulesWrite);
        await ReloadAsync();
        if (DryRunLog is { } logId)
        {
            _tab = 1;
            try
            {
                _replay = await Replay.EventAsync(logId);
            }
            catch (Exception e) when (e is PortalNotFoundException or PortalValidationException)
            {
                _replayError = e.Message;
            }
        }
    }

    private async Task ReloadAsync()
    {
        _catalog = await Catalog.GetAsync();
        var (version, document) = await Store.CurrentAsync();
        (_version, _draft, _dirty, _saveErrors) = (version, RulesDraft.From(document), false, []);
    }

    private void Change(Action change)
    {
        if (!_canWrite) return;
        change();
        _dirty = true;
    }

    private async Task DeleteRulesetAsync(RulesetForm ruleset)
    {
        var rules = $"its {Portal.Core.Counted.Of(ruleset.Rules.Count, "rule")}";
        var confirmed = await Dialogs.ShowMessageBoxAsync("Delete ruleset",
            $"Delete the ruleset '{ruleset.Name}' and {rules}? It is gone once you save; until then Discard changes brings it back.",
            yesText: "Delete", cancelText: "Cancel");
        // by reference: the list may have been reordered while the question was open
        if (confirmed == true) Change(() => _draft!.Rulesets.Remove(ruleset));
    }

    private async Task ConfirmLeaveAsync(LocationChangingContext context)
    {
        if (!_dirty) return;
        var leave = await Dialogs.ShowMessageBoxAsync("Unsaved rule changes",
            "The rules have changes that are not saved. Leave this page and lose them?", yesText: "Leave without saving", cancelText: "Stay");
        if (leave != true) context.PreventNavigation();
    }

    private void AddRuleset() => Change(() => _draft!.Rulesets.Add(new RulesetForm { Name = UniqueName("New ruleset", _draft.Rulesets.Select(r => r.Name)) }));

    private static string UniqueName(string stem, IEnumerable<string> taken)
    {
        var names = taken.ToHashSet(StringComparer.Ordinal);
        if (!names.Contains(stem)) return stem;
        for (var i = 2; ; i++) if (!names.Contains($"{stem} {i}")) return $"{stem} {i}";
    }

    private async Task EditAsync(int rulesetIndex, int ruleIndex)
    {
        var ruleset = _draft!.Rulesets[rulesetIndex];
        var isNew = ruleIndex < 0;
        var rule = isNew
            ? new RuleForm { Name = UniqueName("New rule", ruleset.Rules.Select(r => r.Name)), Object = "Case" }
            : ruleset.Rules[ruleIndex].Clone();
        var position = isNew ? ruleset.Rules.Count : ruleIndex;

        Portal.Core.PagerDuty.PagerDutyLists? lists = null;
        try
        {
            lists = await Directory.GetAsync();
        }
        catch (Portal.Core.PagerDuty.PagerDutyException e)
        {
            // without PagerDuty's lists the editor takes ids as text
            LogListsUnavailable(Logger, e);
        }
        var parameters = new DialogParameters<RuleEditorDialog>
        {
            { d => d.Lists, lists },
            { d => d.Rule, rule },
            { d => d.Catalog, _catalog! },
            { d => d.Validate, edited => ValidateRule(rulesetIndex, position, isNew, edited) },
        };
        var title = _canWrite ? (isNew ? $"New rule in {ruleset.Name}" : $"Edit rule {rule.Name}") : $"Rule {rule.Name}";
        var dialog = await Dialogs.ShowAsync<RuleEditorDialog>(title, parameters,
            new DialogOptions { MaxWidth = MaxWidth.Large, FullWidth = true, CloseOnEscapeKey = true });
        var result = await dialog.Result;
        if (result is { Canceled: false, Data: RuleForm edited } && _canWrite)
        {
            Change(() =>
            {
                if (isNew) ruleset.Rules.Add(edited);
                else ruleset.Rules[ruleIndex] = edited;
            });
            StateHasChanged();
        }
    }

    /// Checks the whole draft with the edited rule in place; returns only the messages about that rule, keyed
    /// by their path inside it (`conditions[0].field`), so the dialog shows each beside its input.
    private IReadOnlyDictionary<string, string[]> ValidateRule(int rulesetIndex, int position, bool isNew, RuleForm edited)
    {
        var ruleset = _draft!.Rulesets[rulesetIndex];
        var original = isNew ? null : ruleset.Rules[position];
        if (isNew) ruleset.Rules.Add(edited);
        else ruleset.Rules[position] = edited;
        try
        {
            var schema = _catalog!.ToRulesSchema();
            var document = RulesDocumentJson.Parse(_draft.ToJson(schema));
            var prefix = $"rulesets[{rulesetIndex}].rules[{position}]";
            return new RulesDocumentValidator(schema).Validate(document).Errors
                .Where(e => e.PropertyName == prefix || e.PropertyName.StartsWith(prefix + ".", StringComparison.Ordinal))
                .GroupBy(e => e.PropertyName.Length > prefix.Length ? e.PropertyName[(prefix.Length + 1)..] : "rule")
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray());
        }
        catch (RulesDocumentFormatException e)
        {
            return new Dictionary<string, string[]> { ["rule"] = [e.Message] };
        }
        finally
        {
            if (isNew) ruleset.Rules.RemoveAt(ruleset.Rules.Count - 1);
            else ruleset.Rules[position] = original!;
        }
    }

    private async Task SaveAsync()
    {
        try
        {
            var saved = await Store.SaveAsync(DraftJson(), (await AuthenticationState).User, "Edited in the Rulesets tab", _saveNote);
            await ReloadAsync();
            _saveNote = null;
            Snackbar.Add($"Saved as version {saved.Version}: {Portal.Core.Counted.Of(saved.RuleCount, "rule")} in force.", Severity.Success);
        }
        catch (PortalValidationException e)
        {
            _saveErrors = e.Errors.SelectMany(p => p.Value).ToList();
        }
        catch (PortalForbiddenException e)
        {
            _saveErrors = [e.Message];
        }
    }

    private async Task DiscardAsync() => await ReloadAsync();

    /// One click, one version: the rule in force goes live as it is. Unsaved edits would be lost by the reload, so
    /// they are saved or discarded first.
    private async Task PromoteAsync(string ruleset, string rule)
    {
        if (_dirty)
        {
            Snackbar.Add("Save or discard your unsaved changes first: promoting saves the rules in force with this one rule live.", Severity.Warning);
            return;
        }
        try
        {
            var saved = await Store.PromoteAsync(ruleset, rule, (await AuthenticationState).User);
            await ReloadAsync();
            Snackbar.Add($"Rule {rule} is live: version {saved.Version}.", Severity.Success);
        }
        catch (Exception e) when (e is PortalValidationException or PortalNotFoundException or PortalForbiddenException)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
    }

    private async Task ImportAsync(IBrowserFile? file)
    {
        _importErrors = [];
        if (file is null) return;
        try
        {
            using var reader = new StreamReader(file.OpenReadStream(maxAllowedSize: 1024 * 1024));
            var document = await Store.ValidateAsync(await reader.ReadToEndAsync());
            _draft = RulesDraft.From(document);
            _dirty = true;
            _tab = 0;
            Snackbar.Add($"Imported {Portal.Core.Counted.Of(document.Rulesets.Count, "ruleset")} from {file.Name}. Review them, then Save.", Severity.Info);
        }
        catch (PortalValidationException e)
        {
            _importErrors = e.Errors.SelectMany(p => p.Value).ToList();
        }
        catch (IOException e)
        {
            _importErrors = [$"The file could not be read: {e.Message}"];
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PagerDuty's services and users could not be read for the rule editor; it takes ids as text")]
    private static partial void LogListsUnavailable(ILogger logger, Exception error);
}

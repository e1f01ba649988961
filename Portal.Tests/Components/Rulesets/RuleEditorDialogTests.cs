using System.Text.Json;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Components.Pages.Rulesets;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Rulesets;

public sealed class RuleEditorDialogTests : DatabaseComponentTest
{
    private IRenderedComponent<MudDialogProvider> _dialogs = default!;
    private IRenderedComponent<MudPopoverProvider> _popovers = default!;

    private async Task OpenAsync(RuleForm rule, Portal.Core.PagerDuty.PagerDutyLists? lists = null)
    {
        _popovers = Render<MudPopoverProvider>();
        _dialogs = Render<MudDialogProvider>();
        var catalog = await Database.Get<ObjectCatalog>().GetAsync();
        var parameters = new DialogParameters<RuleEditorDialog> { { d => d.Rule, rule }, { d => d.Catalog, catalog }, { d => d.Lists, lists } };
        await _dialogs.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<RuleEditorDialog>("Edit rule", parameters));
        _dialogs.WaitForAssertion(() => _dialogs.Find("#apply-rule"));
    }

    [Fact]
    public async Task PreviewsTheCustomTitleWithTheValuesOfAChosenSampleRecord()
    {
        var records = Database.Get<RecordStore>();
        var checkout = await records.CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Checkout down","Priority":"High"}""").RootElement, new ChangeActor("agent"));
        await records.CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Refunds slow"}""").RootElement, new ChangeActor("agent"));
        var number = checkout.Fields["CaseNumber"]!.GetValue<string>();
        var action = new ActionForm { Type = RuleActionTypes.CreateIncident, HasTitle = true, TitlePrefix = "Case", TitleFields = ["CaseNumber", "Subject", "Priority"] };
        await OpenAsync(new RuleForm { Name = "Page", Object = "Case", Actions = [action] });
        Assert.Equal("Case ‹CaseNumber› ‹Subject› ‹Priority›", _dialogs.Find("#action-0-title-preview b").TextContent);

        // the picker lists the rule's object's records, newest first, as agents know them
        _dialogs.Find("#action-0-title-sample").Focus();
        _popovers.WaitForAssertion(() => Assert.Equal(2, _popovers.FindAll(".mud-popover-open .mud-list-item").Count));
        var choice = _popovers.FindAll(".mud-popover-open .mud-list-item")[1];
        Assert.Equal($"{number} · Checkout down", choice.TextContent.Trim());
        choice.Click();

        _dialogs.WaitForAssertion(() => Assert.Equal($"Case {number} Checkout down High", _dialogs.Find("#action-0-title-preview b").TextContent));
        Assert.Contains($"with the values of {number} · Checkout down", _dialogs.Find("#action-0-title-preview").TextContent);
    }

    [Fact]
    public async Task PicksTheDateAndTimeOfADateTimeConditionAndWritesThemAsIso8601()
    {
        await Database.Get<ObjectCatalog>().AddFieldAsync("Case", new FieldDto("DueUtc", "Due", "dateTime"));
        var due = new ConditionForm { Field = "DueUtc", Operator = RuleOperators.GreaterThan, Value = "2026-01-02T03:04:05Z" };
        var subject = new ConditionForm { Field = "Subject", Operator = RuleOperators.EqualTo, Value = "Checkout" };
        await OpenAsync(new RuleForm { Name = "Overdue", Object = "Case", Conditions = [due, subject] });

        Assert.Equal("2026-01-02", _dialogs.Find("#condition-0-date").GetAttribute("value"));
        Assert.Equal("03:04", _dialogs.Find("#condition-0-time").GetAttribute("value"));
        Assert.Empty(_dialogs.FindAll("#condition-1-date")); // a text field keeps its text box only

        _dialogs.Find("#condition-0-date").Change("2026-03-01");
        _dialogs.WaitForAssertion(() => Assert.Equal("2026-03-01T03:04:05Z", due.Value));
        _dialogs.Find("#condition-0-time").Change("09:30");
        _dialogs.WaitForAssertion(() => Assert.Equal("2026-03-01T09:30:00Z", due.Value));
        Assert.Equal("2026-03-01T09:30:00Z", _dialogs.Find("#condition-0-value").GetAttribute("value"));
    }

    [Fact]
    public async Task NamesActionsAndTheirFieldsAsTheOriginalDoesAndWritesEachParameterAsItsTypeTakesIt()
    {
        var escalate = new ActionForm { Type = RuleActionTypes.EscalateIncident };
        await OpenAsync(new RuleForm { Name = "Escalate", Object = "Case", Actions = [escalate, new ActionForm { Type = RuleActionTypes.CreateIncident }] });

        // the labels come from the action types (RuleActionCatalog), not their JSON names
        Assert.Contains("Escalate linked Incidents", _dialogs.Find("#action-0-type").ParentElement!.ParentElement!.TextContent);
        Assert.Equal("Escalation level", _dialogs.Find("label[for='action-0-escalationLevel']").TextContent.Trim());
        Assert.Equal("PagerDuty Service", _dialogs.Find("label[for='action-1-serviceId']").TextContent.Trim());
        Assert.Empty(_dialogs.FindAll("#action-1-userIds")); // the console's assignee, not a rule's parameter

        _dialogs.Find("#action-0-escalationLevel").Change("2");
        _dialogs.WaitForAssertion(() => Assert.Equal("2", escalate.Parameters["escalationLevel"]));
        Assert.Equal("""{"type":"escalateIncident","escalationLevel":2}""", escalate.ToJson().ToJsonString());
        escalate.Parameters["escalationLevel"] = "two";
        Assert.Equal("""{"type":"escalateIncident","escalationLevel":"two"}""", escalate.ToJson().ToJsonString()); // for the validator to name
    }

    [Fact]
    public async Task ARecordToCreateHasItsFieldsChosenFromTheObjectsFields()
    {
        var create = new ActionForm { Type = RuleActionTypes.CreateRecord, RecordFields = "Subject = {{pd.incidentTitle}}\nPriority = High" };
        await OpenAsync(new RuleForm { Name = "Case per incident", Object = "Case", RunOn = RuleRunOn.PagerDutyIncidentCreateOrUpdate, Actions = [create] });

        Assert.Equal("Subject", _dialogs.Find("#action-0-field-0").GetAttribute("value"));
        Assert.Equal("High", _dialogs.Find("#action-0-field-1-value").GetAttribute("value"));
        _dialogs.Find("#action-0-add-field").Click();
        // the next field not chosen yet, in the object's order
        _dialogs.WaitForAssertion(() => Assert.Equal(3, _dialogs.FindAll(".record-field-row").Count));
        _dialogs.Find("#action-0-field-2-value").Change("Phone");
        create.RemoveFieldRow(1);
        Assert.Equal("""{"type":"createRecord","fields":{"Subject":"{{pd.incidentTitle}}","Description":"Phone"}}""", create.ToJson().ToJsonString());
    }

    [Fact]
    public async Task AnIdPagerDutyDoesNotHaveIsRefusedBesideItsFieldWhenPagerDutysListsWereRead()
    {
        var lists = new Portal.Core.PagerDuty.PagerDutyLists([new("PNE3JZM", "Checkout")], [new("PT20YPA", "Checkout on call")], [new("P1", "P1")], []);
        var page = new ActionForm { Type = RuleActionTypes.CreateIncident, Parameters = { ["serviceId"] = "PGONE01", ["priorityId"] = "{{record.Priority}}" } };
        await OpenAsync(new RuleForm { Name = "Page", Object = "Case", Actions = [page] }, lists);

        _dialogs.Find("#apply-rule").Click();
        _dialogs.WaitForAssertion(() => Assert.Contains("PagerDuty has no service 'PGONE01'; choose one from the list.", _dialogs.Markup));
        Assert.DoesNotContain("has no priority", _dialogs.Markup); // a placeholder is filled later
        Assert.NotEmpty(_dialogs.FindAll("#apply-rule")); // still open

        page.Parameters["serviceId"] = "PNE3JZM";
        _dialogs.Find("#apply-rule").Click();
        _dialogs.WaitForAssertion(() => Assert.Empty(_dialogs.FindAll("#apply-rule")));
    }
}

using Portal.Core.Rules;
using Portal.Core.Rules.Actions;

namespace Portal.Tests.Rules;

/// The action types as the catalog finds them: their parameters (what the rule editor shows) and how they are written.
public sealed class RuleActionCatalogTests
{
    [Fact]
    public void TheEditorShowsEachTypesOwnSettableParametersInOrder()
    {
        Assert.Equal(["serviceId", "urgency", "priorityId", "escalationPolicyId", "details"],
            RuleActionCatalog.Find(RuleActionTypes.CreateIncident)!.EditorParameters.Select(p => p.Name));
        Assert.Equal(["conferenceNumber", "conferenceUrl"], RuleActionCatalog.Find(RuleActionTypes.SetIncidentConference)!.EditorParameters.Select(p => p.Name));
        Assert.Equal(["content"], RuleActionCatalog.Find(RuleActionTypes.AddNote)!.EditorParameters.Select(p => p.Name)); // not the comment's id
        Assert.Empty(RuleActionCatalog.Find(RuleActionTypes.SetIncidentCustomFields)!.EditorParameters); // its fields have their own editor
        Assert.Equal(ActionParameterKind.Number, RuleActionCatalog.Find(RuleActionTypes.EscalateIncident)!.Parameters.Single().Kind);
        Assert.Equal("PagerDuty Service", RuleActionCatalog.Find(RuleActionTypes.CreateIncident)!.Parameters.First().Label);
        // no type shows the kind's own members or a computed value as a parameter
        Assert.All(RuleActionCatalog.All.SelectMany(k => k.Parameters), p => Assert.DoesNotContain(p.Name, new[] { "kind", "type", "label", "detailsText" }));
    }

    [Fact]
    public void AnActionIsWrittenWithItsTypeFirstAndOnlyTheParametersItHas()
    {
        var written = RuleActionJson.Serialize(new CreateIncidentAction
        {
            ServiceId = "PNE3JZM", Title = IncidentTitleSpec.Of("Checkout down"), Details = System.Text.Json.JsonSerializer.SerializeToElement("body"),
        });
        Assert.Equal("""{"type":"createIncident","serviceId":"PNE3JZM","title":"Checkout down","details":"body"}""", written);
        Assert.Equal("""{"type":"escalateIncident","escalationLevel":2}""", RuleActionJson.Serialize(new EscalateIncidentAction { EscalationLevel = 2 }));
    }

    [Fact]
    public void EveryTypeHasADistinctNameLabelAndPlace()
    {
        Assert.Equal(RuleActionCatalog.All.Count, RuleActionCatalog.All.Select(k => k.Name).Distinct().Count());
        Assert.Equal(RuleActionCatalog.All.Count, RuleActionCatalog.All.Select(k => k.Label).Distinct().Count());
        Assert.Equal(RuleActionCatalog.All.Count, RuleActionCatalog.All.Select(k => k.Order).Distinct().Count());
        Assert.Equal(RuleActionCatalog.All.OrderBy(k => k.Order), RuleActionCatalog.All);
    }
}

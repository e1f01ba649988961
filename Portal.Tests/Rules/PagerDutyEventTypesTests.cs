using Portal.Core.Rules;

namespace Portal.Tests.Rules;

public sealed class PagerDutyEventTypesTests
{
    [Theory]
    [InlineData("incident.triggered", "trigger")]
    [InlineData("incident.acknowledged", "acknowledge")]
    [InlineData("incident.unacknowledged", "unacknowledge")]
    [InlineData("incident.resolved", "resolve")]
    [InlineData("incident.reopened", "reopen")]
    [InlineData("incident.reassigned", "assign")]
    [InlineData("incident.escalated", "escalate")]
    [InlineData("incident.delegated", "delegate")]
    [InlineData("incident.annotated", "annotate")]
    [InlineData("incident.priority_updated", "priorityUpdate")]
    [InlineData("incident.responder.added", "responderAdded")]
    [InlineData("incident.status_update_published", "statusUpdate")]
    [InlineData("incident.custom_field_values.updated", "custom")]
    public void MapsWebhookEventTypesToTheirShortForm(string webhook, string shortForm) =>
        Assert.Equal(shortForm, PagerDutyEventTypes.ToShort(webhook));

    [Theory]
    [InlineData("incident.workflow.completed")]
    [InlineData("INCIDENT.TRIGGERED")]
    [InlineData("")]
    [InlineData(null)]
    public void ReturnsNullForEventTypesRulesDoNotKnow(string? webhook) => Assert.Null(PagerDutyEventTypes.ToShort(webhook));
}

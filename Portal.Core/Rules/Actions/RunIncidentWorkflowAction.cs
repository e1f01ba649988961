namespace Portal.Core.Rules.Actions;

[RuleActionType("runIncidentWorkflow", "Run Incident Workflow on linked Incidents", 80, InConsole = true, Verb = "Run incident workflow")]
public sealed record RunIncidentWorkflowAction : PagerDutyAction
{
    [System.ComponentModel.DisplayName("Incident Workflow")]
    public string? WorkflowId { get; init; }

    public override void Validate(ActionCheck check) => check.RequireText("workflowId", WorkflowId);
}

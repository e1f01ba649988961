namespace Portal.Core.Rules.Actions;

[RuleActionType("runIncidentWorkflow", "Run Incident Workflow on linked Incidents", 80, InConsole = true)]
public sealed record RunIncidentWorkflowAction : PagerDutyAction
{
    public string? WorkflowId { get; init; }

    public override void Validate(ActionCheck check) => check.RequireText("workflowId", WorkflowId);
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Core.Records;
using Portal.Core.Telemetry;

namespace Portal.Core.Rulesets;

public static class RulesetsExtensions
{
    /// The rules in force, what feeds them (record changes, PagerDuty events), and the dry-run.
    public static IHostApplicationBuilder AddRulesets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddPortalMetrics();
        builder.Services.AddSingleton<RulesetStore>();
        builder.Services.AddSingleton<RuleRunner>();
        builder.Services.AddSingleton<IRecordChangeHandler>(sp => sp.GetRequiredService<RuleRunner>());
        builder.Services.AddSingleton<PagerDutyEventRules>();
        builder.Services.AddSingleton<RulesDryRun>();
        builder.Services.AddSingleton<DryRunReplay>();
        return builder;
    }
}

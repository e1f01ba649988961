using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Sandbox;
using Portal.Core.StatusDashboard;
using Portal.Core.Telemetry;
using Portal.Core.Webhooks;

namespace Portal.Core.Dispatch;

public static class DispatchExtensions
{
    /// PagerDuty (live client and sandbox), the durable dispatcher, and the processing of incident events, with
    /// their background services.
    public static IHostApplicationBuilder AddPagerDuty(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddPagerDutyServices();
        services.AddHttpClient(PagerDutyConnection.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(30));
        services.AddHostedService<DispatcherService>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookProcessingService>());
        services.AddHostedService(sp => sp.GetRequiredService<WebhookEventRetention>());
        services.AddHostedService(sp => sp.GetRequiredService<WebhookLag>());
        return builder;
    }

    /// The same services without the background loops: tests drive them step by step.
    public static IServiceCollection AddPagerDutyServices(this IServiceCollection services)
    {
        // a bad setting stops the start with a message naming its key (each validator's), not every action later
        services.AddOptions<PagerDutyOptions>().BindConfiguration(PagerDutyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PagerDutyOptions>, PagerDutyOptionsValidation>();
        services.AddOptions<DispatchOptions>().BindConfiguration(DispatchOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DispatchOptions>, DispatchOptionsValidation>();
        services.AddOptions<StatusDashboardOptions>().BindConfiguration(StatusDashboardOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StatusDashboardOptions>, StatusDashboardOptionsValidation>();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidation>();
        services.AddPortalMetrics();
        services.AddHttpClient();
        // every request to PagerDuty pays from the shared budget, whoever sends it
        services.AddTransient<PagerDutyBudgetHandler>();
        services.AddHttpClient(PagerDutyConnection.HttpClientName).AddHttpMessageHandler<PagerDutyBudgetHandler>();
        services.AddSingleton<SandboxPagerDuty>();
        services.AddSingleton<SandboxResponder>();
        services.AddSingleton<PagerDutyConnection>();
        services.AddSingleton<RequestBudget>();
        services.AddSingleton<PagerDutyDirectory>();
        services.AddSingleton<IncidentTimeline>();
        services.AddSingleton<PagerDutyEchoes>();
        services.AddSingleton<DeliveryCheck>();
        services.TryAddSingleton<PortalInstance>();
        services.AddSingleton<DispatchSignal>();
        services.AddSingleton<ActionDispatcher>();
        services.AddSingleton<PlannedActionQueries>();
        services.AddSingleton<ConsoleActions>();
        services.AddSingleton<IRecordCommentHandler, CommentNoteSync>();
        services.AddSingleton<IncidentEventProcessor>();
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookIntake>();
        services.AddSingleton<RefusalTally>();
        services.AddSingleton<WebhookBatchWriter>();
        services.AddSingleton<WebhookSubscriptions>();
        services.AddSingleton<WebhookProcessingService>();
        services.AddSingleton<WebhookEventRetention>();
        services.AddSingleton<WebhookLag>();
        services.AddSingleton<IncidentStatusUpdates>();
        services.AddSingleton<StatusDashboardReads>();
        services.AddSingleton<BusinessImpacts>();
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Core.Links;
using Portal.Core.Settings;
using Portal.Core.Telemetry;

namespace Portal.Core.Records;

public static class RecordsExtensions
{
    public static IHostApplicationBuilder AddRecords(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ObjectCatalog>();
        builder.Services.AddSingleton<RecordStore>();
        builder.Services.AddSingleton<IncidentLinks>();
        builder.Services.AddSingleton<SettingsStore>();
        builder.Services.AddSingleton<SampleData>();
        builder.Services.AddPortalMetrics();
        builder.Services.AddSingleton<Logging.IntegrationLog>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Logging.IntegrationLog>());
        return builder;
    }
}

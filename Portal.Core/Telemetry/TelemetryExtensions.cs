using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Portal.Core.Telemetry;

public static class TelemetryExtensions
{
    /// Portal's meter on the host's `IMeterFactory`. Every feature that counts calls this, so that each can be wired
    /// alone (tests); what exports the measurements is the host's choice.
    public static IServiceCollection AddPortalMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<PortalMetrics>();
        return services;
    }
}

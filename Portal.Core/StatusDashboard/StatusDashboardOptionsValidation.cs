using Microsoft.Extensions.Options;

namespace Portal.Core.StatusDashboard;

/// Stops the start on a `StatusDashboard` section that would read PagerDuty without pause or never.
public sealed class StatusDashboardOptionsValidation : IValidateOptions<StatusDashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, StatusDashboardOptions options)
    {
        var errors = new SettingErrors(StatusDashboardOptions.Section);
        errors.Positive(nameof(options.CacheLifetime), options.CacheLifetime);
        errors.Positive(nameof(options.MinRefreshInterval), options.MinRefreshInterval);
        errors.Positive(nameof(options.ListLifetime), options.ListLifetime);
        errors.AtLeast(nameof(options.RequestsPerMinute), options.RequestsPerMinute, 1);
        return errors.Result();
    }
}

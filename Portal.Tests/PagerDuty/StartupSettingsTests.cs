using Microsoft.Extensions.Options;
using Portal.Core.Dispatch;
using Portal.Core.PagerDuty;
using Portal.Core.StatusDashboard;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.PagerDuty;

/// A setting Portal cannot use stops the start with a message that names its key and what it takes, instead of
/// failing (or dead-lettering) every action once the portal runs.
public sealed class StartupSettingsTests
{
    [Theory]
    [InlineData("PagerDuty:Mode", "Sandbx", "PagerDuty:Mode is 'Sandbx'; use Sandbox or Live")]
    [InlineData("PagerDuty:Region", "APAC", "PagerDuty:Region is 'APAC'; use US or EU.")]
    [InlineData("Dispatch:RequestsPerMinute", "0", "Dispatch:RequestsPerMinute is 0; use 1 or more.")]
    [InlineData("StatusDashboard:CacheLifetime", "00:00:00", "StatusDashboard:CacheLifetime is 00:00:00; use a time above zero")]
    [InlineData("Authentication:RevalidationInterval", "00:00:00", "Authentication:RevalidationInterval is not above zero")]
    public void AnUnusableSettingStopsTheStartNamingIt(string key, string value, string expected)
    {
        using var factory = new PortalAppFactory(settings: new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains(expected, validation.Message);
    }

    [Fact]
    public void TheModeIsANameInAnyCaseAndNothingElse()
    {
        var validation = new PagerDutyOptionsValidation();
        Assert.True(validation.Validate(null, new PagerDutyOptions { Mode = "live", Region = "eu" }).Succeeded);
        Assert.True(validation.Validate(null, new PagerDutyOptions()).Succeeded);
        foreach (var mode in new[] { "1", "Sandbox, Live", "Sandbx" })
            Assert.Contains($"PagerDuty:Mode is '{mode}'", validation.Validate(null, new PagerDutyOptions { Mode = mode }).FailureMessage);
        Assert.Throws<InvalidOperationException>(() => new PagerDutyOptions { Mode = "1" }.ResolveMode());
    }

    [Fact]
    public void ListsEveryProblemOfASectionAtOnce()
    {
        var result = new DispatchOptionsValidation().Validate(null, new DispatchOptions
        {
            MaxAttempts = 0, Concurrency = -2, BaseBackoff = TimeSpan.FromMinutes(5), MaxBackoff = TimeSpan.FromMinutes(1),
        });
        Assert.Equal(["Dispatch:MaxAttempts is 0; use 1 or more.", "Dispatch:MaxBackoff (00:01:00) is shorter than Dispatch:BaseBackoff (00:05:00).",
            "Dispatch:Concurrency is -2; use 1 or more."], result.Failures);
        Assert.True(new StatusDashboardOptionsValidation().Validate(null, new StatusDashboardOptions()).Succeeded);
    }
}

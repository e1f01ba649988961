using Microsoft.Extensions.Options;

namespace Portal.Core.PagerDuty;

public enum PagerDutyMode { Sandbox, Live }

/// The `PagerDuty` configuration section (contract section 1).
public sealed class PagerDutyOptions
{
    public const string Section = "PagerDuty";
    public static readonly IReadOnlyList<string> Regions = ["US", "EU"];

    public string? Mode { get; set; }
    public string Region { get; set; } = "US";
    public string? BaseUrl { get; set; }
    public string? ApiKey { get; set; }
    public string? FromEmail { get; set; }
    public List<string> WebhookSecrets { get; set; } = [];

    /// `Sandbox` when no API key is known, else `Live`, unless `PagerDuty:Mode` says otherwise.
    public PagerDutyMode ResolveMode(string? storedApiKey = null)
    {
        if (!string.IsNullOrWhiteSpace(Mode)) return TryParseMode(Mode, out var explicitMode) ? explicitMode : throw new InvalidOperationException(ModeError());
        return string.IsNullOrWhiteSpace(ApiKey) && string.IsNullOrWhiteSpace(storedApiKey) ? PagerDutyMode.Sandbox : PagerDutyMode.Live;
    }

    public Uri ResolveBaseUrl()
    {
        if (!string.IsNullOrWhiteSpace(BaseUrl)) return new Uri(BaseUrl.TrimEnd('/') + "/");
        return Region.ToUpperInvariant() switch
        {
            "US" => new Uri("https://api.pagerduty.com/"),
            "EU" => new Uri("https://api.eu.pagerduty.com/"),
            _ => throw new InvalidOperationException(RegionError()),
        };
    }

    // by name only: Enum.TryParse alone would also take "7" or "Sandbox, Live"
    private static bool TryParseMode(string mode, out PagerDutyMode parsed) =>
        Enum.TryParse(mode.Trim(), ignoreCase: true, out parsed) && Enum.GetNames<PagerDutyMode>().Contains(mode.Trim(), StringComparer.OrdinalIgnoreCase);

    internal string? ModeError() => string.IsNullOrWhiteSpace(Mode) || TryParseMode(Mode, out _) ? null
        : $"{Section}:Mode is '{Mode}'; use {string.Join(" or ", Enum.GetNames<PagerDutyMode>())}, or leave it out (Live when an API key is known, else Sandbox).";

    internal string? RegionError() => Regions.Contains(Region, StringComparer.OrdinalIgnoreCase) ? null
        : $"{Section}:Region is '{Region}'; use {string.Join(" or ", Regions)}.";

    internal string? BaseUrlError() =>
        string.IsNullOrWhiteSpace(BaseUrl) || Uri.TryCreate(BaseUrl, UriKind.Absolute, out var url) && url.Scheme is "https" or "http" ? null
        : $"{Section}:BaseUrl is '{BaseUrl}'; use an absolute http(s) address such as https://api.pagerduty.com, or leave it out to follow {Section}:Region.";

    internal string? FromEmailError() => string.IsNullOrWhiteSpace(FromEmail) || FromEmail.Contains('@') ? null
        : $"{Section}:FromEmail is '{FromEmail}'; use the e-mail address of a PagerDuty user, or leave it out.";
}

/// Stops the start on a `PagerDuty` section Portal cannot use, instead of failing every action later.
public sealed class PagerDutyOptionsValidation : IValidateOptions<PagerDutyOptions>
{
    public ValidateOptionsResult Validate(string? name, PagerDutyOptions options)
    {
        var errors = new SettingErrors(PagerDutyOptions.Section);
        errors.Add(options.ModeError());
        errors.Add(options.RegionError());
        errors.Add(options.BaseUrlError());
        errors.Add(options.FromEmailError());
        return errors.Result();
    }
}

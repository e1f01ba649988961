namespace Portal.Core.PagerDuty;

public enum PagerDutyMode { Sandbox, Live }

/// The `PagerDuty` configuration section (contract section 1).
public sealed class PagerDutyOptions
{
    public const string Section = "PagerDuty";

    public string? Mode { get; set; }
    public string Region { get; set; } = "US";
    public string? BaseUrl { get; set; }
    public string? ApiKey { get; set; }
    public string? FromEmail { get; set; }
    public List<string> WebhookSecrets { get; set; } = [];

    /// `Sandbox` when no API key is known, else `Live`, unless `PagerDuty:Mode` says otherwise.
    public PagerDutyMode ResolveMode(string? storedApiKey = null)
    {
        if (!string.IsNullOrWhiteSpace(Mode))
        {
            return Enum.TryParse<PagerDutyMode>(Mode, ignoreCase: true, out var explicitMode)
                ? explicitMode
                : throw new InvalidOperationException($"PagerDuty:Mode '{Mode}' is not known; use 'Sandbox' or 'Live'.");
        }
        return string.IsNullOrWhiteSpace(ApiKey) && string.IsNullOrWhiteSpace(storedApiKey) ? PagerDutyMode.Sandbox : PagerDutyMode.Live;
    }

    public Uri ResolveBaseUrl()
    {
        if (!string.IsNullOrWhiteSpace(BaseUrl)) return new Uri(BaseUrl.TrimEnd('/') + "/");
        return Region.ToUpperInvariant() switch
        {
            "US" => new Uri("https://api.pagerduty.com/"),
            "EU" => new Uri("https://api.eu.pagerduty.com/"),
            _ => throw new InvalidOperationException($"PagerDuty:Region '{Region}' is not known; use 'US' or 'EU'."),
        };
    }
}

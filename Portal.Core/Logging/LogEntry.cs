using System.Security.Cryptography;
using System.Text.Json;
using System.Text;

namespace Portal.Core.Logging;

public enum LogLevel { Debug = 0, Info = 1, Warning = 2, Error = 3 }

public static class LogCategories
{
    public const string Webhook = "webhook";
    public const string Rule = "rule";
    public const string Action = "action";
    public const string Connection = "connection";
    public const string Config = "config";
    public const string Security = "security";

    public static readonly IReadOnlyList<string> All = [Webhook, Rule, Action, Connection, Config, Security];

    /// The category a query names: `rules` (as contract section 3.1 names the shadow rules' entries) is `rule`.
    public static string Normalize(string category) => category == "rules" ? Rule : category;
}

/// One entry of the integration log that ops read: what arrived, what the rules decided and why, what was sent to
/// PagerDuty and what it answered.
public sealed class LogEntryEntity
{
    public const int MaxMessage = StoredText.MaxLength;
    public const int MaxDetails = 16 * 1024;

    /// An entry with its message and details cut to what the log keeps; `details` is serialized unless it is JSON text.
    public static LogEntryEntity Create(DateTime timeUtc, LogLevel level, string category, string message, Guid? correlationId = null,
        string? recordId = null, string? incidentId = null, object? details = null)
    {
        string? json = null;
        if (details is not null)
        {
            json = details as string ?? JsonSerializer.Serialize(details, JsonSerializerOptions.Web);
            if (json.Length > MaxDetails) json = JsonSerializer.Serialize(new { truncated = true, head = json[..MaxDetails] });
        }
        return new LogEntryEntity
        {
            TimeUtc = timeUtc, Level = level, Category = category, Message = StoredText.Cut(message, MaxMessage),
            CorrelationId = correlationId, RecordId = recordId, IncidentId = incidentId, Details = json,
        };
    }

    public long Id { get; set; }
    public DateTime TimeUtc { get; set; }
    public LogLevel Level { get; set; }
    public required string Category { get; set; }
    public required string Message { get; set; }
    public Guid? CorrelationId { get; set; }
    public string? RecordId { get; set; }
    public string? IncidentId { get; set; }
    /// JSON: the rule trace, PagerDuty's answer, a payload summary. Capped, and never holds a secret.
    public string? Details { get; set; }
}

public static class Correlation
{
    /// The same id for every entry about one PagerDuty event, however often it is delivered.
    public static Guid ForEvent(string eventId) => new(MD5.HashData(Encoding.UTF8.GetBytes("pagerduty-event:" + eventId)));
}

using System.Text.Json.Nodes;

namespace Portal.Core.Logging;

/// Before/after of a configuration change for the audit trail, with anything secret-like masked: a property whose
/// name mentions a key, secret, password or token shows only whether it changed.
public static class ConfigAudit
{
    public const string Hidden = "[hidden]";
    private static readonly string[] s_secretWords = ["secret", "apikey", "password", "token"];

    public static bool IsSecret(string propertyName) =>
        s_secretWords.Any(w => propertyName.Contains(w, StringComparison.OrdinalIgnoreCase));

    public sealed record Change(IReadOnlyList<string> Changes, JsonNode? Before, JsonNode? After);

    /// The top-level properties that differ ("Level: Info → Debug"), and both documents masked.
    public static Change Compare(string? beforeJson, string afterJson)
    {
        var before = JsonObjects.ParseOrNull(beforeJson);
        var after = JsonObjects.ParseOrNull(afterJson);
        var changes = new List<string>();
        var names = (before?.Select(p => p.Key) ?? []).Union(after?.Select(p => p.Key) ?? [], StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (JsonNode.DeepEquals(before?[name], after?[name])) continue;
            var (old, @new) = (Show(before?[name]), Show(after?[name]));
            changes.Add(IsSecret(name) ? $"{name} changed" : $"{name}: {old} → {@new}");
        }
        return new Change(changes, Mask(before), Mask(after));
    }

    /// An audit entry (category `config`, level Info), for the transaction of the change it describes.
    public static LogEntryEntity Entry(DateTime timeUtc, string message, object? details = null) =>
        LogEntryEntity.Create(timeUtc, LogLevel.Info, LogCategories.Config, message, details: details);

    /// The audit entry of a settings change, stored in the same transaction.
    public static LogEntryEntity SettingsEntry(string key, string before, string after, string by, DateTime timeUtc)
    {
        var change = Compare(before, after);
        var message = $"Settings '{key}' changed by {by}: {(change.Changes.Count == 0 ? "saved" : string.Join("; ", change.Changes))}";
        return Entry(timeUtc, message, new JsonObject { ["setting"] = key, ["by"] = by, ["before"] = change.Before, ["after"] = change.After }.ToJsonString());
    }

    private static string Show(JsonNode? value) => value switch
    {
        null => "(none)",
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };

    private static JsonObject? Mask(JsonObject? document)
    {
        if (document is null) return null;
        var masked = new JsonObject();
        foreach (var (name, value) in document)
            masked[name] = IsSecret(name) ? (value is null ? null : Hidden) : value?.DeepClone();
        return masked;
    }
}

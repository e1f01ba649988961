namespace Portal.Core.Rules;

public static class IncidentTitle
{
    public const int MaxLength = 1024;

    public static string Build(
        string? prefix,
        IReadOnlyList<string>? fieldNames,
        string objectName,
        string? recordId,
        IReadOnlyDictionary<string, object?>? record)
    {
        if (prefix is null && fieldNames is null)
        {
            return Default(objectName, recordId, record);
        }

        var parts = new List<string>(4);
        if (!string.IsNullOrWhiteSpace(prefix))
        {
            parts.Add(prefix);
        }

        foreach (var name in (fieldNames ?? []).Take(3))
        {
            var value = RuleValues.ToText(Read(record, name));
            if (!string.IsNullOrWhiteSpace(value))
            {
                parts.Add(value);
            }
        }

        // PagerDuty refuses an empty title, so a spec that yields nothing falls back to the default title.
        return parts.Count == 0 ? Default(objectName, recordId, record) : Cut(string.Join(' ', parts));
    }

    public static string Default(string objectName, string? recordId, IReadOnlyDictionary<string, object?>? record)
    {
        foreach (var name in (ReadOnlySpan<string>)["Subject", "Name"])
        {
            var value = RuleValues.ToText(Read(record, name));
            if (!string.IsNullOrWhiteSpace(value))
            {
                return Cut(value);
            }
        }

        return Cut(string.IsNullOrEmpty(recordId) ? objectName : $"{objectName} {recordId}");
    }

    public static string Cut(string title)
    {
        if (title.Length <= MaxLength)
        {
            return title;
        }

        var length = char.IsHighSurrogate(title[MaxLength - 1]) ? MaxLength - 1 : MaxLength;
        return title[..length];
    }

    private static object? Read(IReadOnlyDictionary<string, object?>? record, string name) =>
        record is not null && record.TryGetValue(name, out var value) ? value : null;
}

namespace Portal.Core.Rules;

public static partial class IncidentTitle
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

        var parts = new List<string?>(4) { prefix };
        parts.AddRange((fieldNames ?? []).Take(3).Select(name => RuleValues.ToText(Read(record, name))));
        var title = Join(parts);

        // PagerDuty refuses an empty title, so a spec that yields nothing falls back to the default title.
        return title.Length == 0 ? Default(objectName, recordId, record) : Cut(title);
    }

    /// The non-blank parts joined by single spaces: each part's own runs of white space (a prefix that ends in a
    /// space, a subject with a line break) become one space, so a title never holds two spaces in a row.
    public static string Join(IEnumerable<string?> parts) =>
        string.Join(' ', parts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => Whitespace().Replace(p!.Trim(), " ")));

    [System.Text.RegularExpressions.GeneratedRegex(@"\s+")]
    private static partial System.Text.RegularExpressions.Regex Whitespace();

    public static string Default(string objectName, string? recordId, IReadOnlyDictionary<string, object?>? record)
    {
        foreach (var name in (ReadOnlySpan<string>)["Subject", "Name"])
        {
            var value = RuleValues.ToText(Read(record, name));
            if (!string.IsNullOrWhiteSpace(value))
            {
                return Cut(Join([value]));
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

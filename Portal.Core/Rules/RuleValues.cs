using System.Globalization;
using System.Text.Json;

namespace Portal.Core.Rules;

// The value semantics every evaluator shares: how an actual field value reads as text, number or date,
// and how it compares with an expected value from the document.
public static class RuleValues
{
    public static string ToText(object? value) => value switch
    {
        null => "",
        string text => text,
        bool flag => flag ? "true" : "false",
        DateTime dateTime => FormatDate(AsUtc(dateTime)),
        DateTimeOffset instant => FormatDate(instant.UtcDateTime),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static string ExpectedText(JsonElement? value) => value switch
    {
        null => "",
        { ValueKind: JsonValueKind.String } element => element.GetString() ?? "",
        { ValueKind: JsonValueKind.True } => "true",
        { ValueKind: JsonValueKind.False } => "false",
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => "",
        { } element => element.GetRawText(),
    };

    public static string? DisplayExpected(JsonElement? value) =>
        value is null || value.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null : ExpectedText(value);

    public static bool HasValue(JsonElement? value) =>
        value is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };

    public static IEnumerable<string> ListItems(JsonElement? value)
    {
        if (value is not { ValueKind: JsonValueKind.Array } array)
        {
            yield break;
        }

        foreach (var item in array.EnumerateArray())
        {
            var text = ExpectedText(item);
            yield return text;
            if (item.ValueKind == JsonValueKind.Number && TryParseNumber(text, out var number))
            {
                yield return ToText(number);
            }
        }
    }

    public static bool TryParseNumber(string text, out double number) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);

    public static bool TryParseDate(string text, out DateTimeOffset instant)
    {
        instant = default;
        return LooksLikeIsoDate(text)
            && DateTimeOffset.TryParse(
                text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out instant);
    }

    public static bool TryGetNumber(object? value, out double number)
    {
        switch (value)
        {
            case long l: number = l; return true;
            case int i: number = i; return true;
            case double d: number = d; return double.IsFinite(d);
            case decimal m: number = (double)m; return true;
            case float f: number = f; return float.IsFinite(f);
            case short s: number = s; return true;
            case string text: return TryParseNumber(text, out number);
            default: number = 0; return false;
        }
    }

    public static bool TryGetDate(object? value, out DateTimeOffset instant)
    {
        switch (value)
        {
            case DateTime dateTime: instant = new DateTimeOffset(AsUtc(dateTime)); return true;
            case DateTimeOffset offset: instant = offset; return true;
            case string text: return TryParseDate(text, out instant);
            default: instant = default; return false;
        }
    }

    public static bool IsNumeric(object? value) => value is long or int or double or decimal or float or short;

    // Equality follows the actual value's type: numbers compare as numbers, dates as instants, the rest as text ignoring case.
    public static bool AreEqual(object? actual, string expectedText, double? expectedNumber, DateTimeOffset? expectedDate)
    {
        if (actual is string text)
        {
            return string.Equals(text, expectedText, StringComparison.OrdinalIgnoreCase);
        }

        if (expectedNumber is { } number && IsNumeric(actual) && TryGetNumber(actual, out var actualNumber))
        {
            return actualNumber == number;
        }

        if (expectedDate is { } date && actual is DateTime or DateTimeOffset && TryGetDate(actual, out var actualDate))
        {
            return actualDate == date;
        }

        return string.Equals(ToText(actual), expectedText, StringComparison.OrdinalIgnoreCase);
    }

    // Null when the actual value cannot be read as the expected kind (a number or a date).
    public static int? Compare(object? actual, double? expectedNumber, DateTimeOffset? expectedDate)
    {
        if (expectedNumber is { } number)
        {
            return TryGetNumber(actual, out var actualNumber) ? actualNumber.CompareTo(number) : null;
        }

        if (expectedDate is { } date)
        {
            return TryGetDate(actual, out var actualDate) ? actualDate.CompareTo(date) : null;
        }

        return null;
    }

    public static bool OrderingHolds(string op, int? comparison) => comparison is { } c && op switch
    {
        RuleOperators.GreaterThan => c > 0,
        RuleOperators.GreaterOrEqual => c >= 0,
        RuleOperators.LessThan => c < 0,
        RuleOperators.LessOrEqual => c <= 0,
        _ => false,
    };

    public static bool SameValue(object? left, object? right) =>
        left is string a && right is string b
            ? string.Equals(a, b, StringComparison.Ordinal)
            : string.Equals(ToText(left), ToText(right), StringComparison.Ordinal);

    public static bool IsBlank(object? value) => value switch
    {
        null => true,
        string text => string.IsNullOrWhiteSpace(text),
        _ => string.IsNullOrWhiteSpace(ToText(value)),
    };

    private static DateTime AsUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };

    private static string FormatDate(DateTime utc) =>
        utc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static bool LooksLikeIsoDate(string text)
    {
        var span = text.AsSpan().Trim();
        return span.Length >= 10
            && char.IsAsciiDigit(span[0]) && char.IsAsciiDigit(span[1]) && char.IsAsciiDigit(span[2]) && char.IsAsciiDigit(span[3])
            && span[4] == '-' && char.IsAsciiDigit(span[5]) && char.IsAsciiDigit(span[6])
            && span[7] == '-' && char.IsAsciiDigit(span[8]) && char.IsAsciiDigit(span[9]);
    }
}

using System.Globalization;

namespace Portal.Core;

/// A count with its noun in the right number, for messages people read: "1 rule", "3 rules", "0 rulesets".
public static class Counted
{
    public static string Of(int count, string one, string? many = null) =>
        $"{count.ToString("N0", CultureInfo.InvariantCulture)} {(count == 1 ? one : many ?? one + "s")}";
}

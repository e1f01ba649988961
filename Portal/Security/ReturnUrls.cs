using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Portal.Security;

public static class ReturnUrls
{
    /// Where to go after signing in: the path asked for when it is on this portal, else "/". It ends up in a Location
    /// header, which takes ASCII only: other characters are percent-encoded as UTF-8, and a path with a control
    /// character (a header split) is not taken.
    public static string LocalOrHome(string? url)
    {
        if (!IsLocal(url) || url.Any(char.IsControl)) return "/";
        if (Ascii.IsValid(url)) return url;
        var escaped = new StringBuilder(url.Length * 2);
        foreach (var b in Encoding.UTF8.GetBytes(url)) escaped.Append(b < 0x80 ? ((char)b).ToString() : $"%{b:X2}");
        return escaped.ToString();
    }

    private static bool IsLocal([NotNullWhen(true)] string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}

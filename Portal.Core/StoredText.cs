namespace Portal.Core;

/// Texts stored for people to read (log messages, the last error of an action or a delivery) are cut to one length.
public static class StoredText
{
    public const int MaxLength = 2000;

    public static string Cut(string text, int max = MaxLength) => text.Length > max ? text[..max] : text;
}

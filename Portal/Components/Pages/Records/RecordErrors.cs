using Portal.Core;

namespace Portal.Components.Pages.Records;

internal static class RecordErrors
{
    /// Field messages go beside their inputs; anything not about a field is shown once, above the buttons.
    public static (IReadOnlyDictionary<string, string[]> Fields, string? General) Split(PortalValidationException e)
    {
        var general = e.Errors.Where(p => !p.Key.StartsWith("fields.", StringComparison.Ordinal)).SelectMany(p => p.Value).ToList();
        return (e.Errors, general.Count == 0 ? null : string.Join(" ", general));
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace Portal.Components.Pages.Rulesets;

public enum DiffKind { Same, Added, Removed, Changed, Blank }

/// One side of a diff row: its line number in that version (none for the gap opposite an added or removed line).
public sealed record DiffCell(int? Number, string Text, DiffKind Kind);

/// One row of the side-by-side diff: the older version's line on the left, the newer one's on the right.
public sealed record DiffRow(DiffCell Left, DiffCell Right);

/// A side-by-side line diff (DiffPlex) of two rules documents, each pretty-printed first so that a rule's
/// every property is a line of its own whatever spacing the version was stored with.
public static class VersionDiff
{
    private static readonly JsonSerializerOptions s_pretty = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IReadOnlyList<DiffRow> Compare(string beforeJson, string afterJson)
    {
        var model = SideBySideDiffBuilder.Diff(Pretty(beforeJson), Pretty(afterJson), ignoreWhiteSpace: false);
        return model.OldText.Lines.Zip(model.NewText.Lines, (left, right) => new DiffRow(Cell(left, DiffKind.Removed), Cell(right, DiffKind.Added))).ToList();
    }

    public static string Pretty(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return "";
        try
        {
            return JsonNode.Parse(json)?.ToJsonString(s_pretty) ?? json;
        }
        catch (JsonException)
        {
            return json; // a stored version is always valid JSON; should one not be, compare it as it is
        }
    }

    private static DiffCell Cell(DiffPiece piece, DiffKind changed) => new(piece.Position, piece.Text ?? "", piece.Type switch
    {
        ChangeType.Unchanged => DiffKind.Same,
        ChangeType.Deleted or ChangeType.Inserted => changed,
        ChangeType.Modified => DiffKind.Changed,
        _ => DiffKind.Blank,
    });
}

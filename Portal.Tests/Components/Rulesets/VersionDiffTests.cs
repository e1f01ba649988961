using Portal.Components.Pages.Rulesets;

namespace Portal.Tests.Components.Rulesets;

public sealed class VersionDiffTests
{
    [Fact]
    public void PutsTheOlderLineBesideTheNewerOneLineByLine()
    {
        var rows = VersionDiff.Compare(
            """{"schemaVersion":1,"rulesets":[{"name":"First","enabled":true,"rules":[]}]}""",
            """{"schemaVersion":1,"rulesets":[{"name":"Renamed","enabled":true,"rules":[]}]}""");

        // pretty-printed: one property a line, so only the name's line differs
        Assert.True(rows.Count > 5, string.Join("\n", rows));
        var changed = Assert.Single(rows, r => r.Left.Kind != DiffKind.Same);
        Assert.Equal(DiffKind.Changed, changed.Left.Kind);
        Assert.Equal(DiffKind.Changed, changed.Right.Kind);
        Assert.Contains("\"name\": \"First\"", changed.Left.Text);
        Assert.Contains("\"name\": \"Renamed\"", changed.Right.Text);
        Assert.Equal(changed.Left.Number, changed.Right.Number);
    }

    [Fact]
    public void LeavesAGapOppositeAnAddedLine()
    {
        var rows = VersionDiff.Compare("""{"a":1}""", """{"a":1,"b":2}""");

        var added = Assert.Single(rows, r => r.Right.Kind == DiffKind.Added);
        Assert.Contains("\"b\": 2", added.Right.Text);
        Assert.Equal(DiffKind.Blank, added.Left.Kind);
        Assert.Null(added.Left.Number);
    }

    [Fact]
    public void ComparesWithNothingWhenNoVersionIsInForce()
    {
        var rows = VersionDiff.Compare("""{"schemaVersion":1,"rulesets":[]}""", "");

        Assert.All(rows, r => Assert.Equal(DiffKind.Removed, r.Left.Kind));
        Assert.All(rows, r => Assert.Equal(DiffKind.Blank, r.Right.Kind));
    }
}

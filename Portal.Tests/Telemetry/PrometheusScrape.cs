using System.Globalization;
using System.Text.RegularExpressions;

namespace Portal.Tests.Telemetry;

public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// One answer of `GET /metrics`, read the way Prometheus reads its text format: `name{label="value",...} value [time]`.
public sealed partial class PrometheusScrape(string text)
{
    public string Text { get; } = text;

    public IReadOnlyList<PrometheusSample> Samples { get; } = Parse(text);

    /// The sample of `name` whose labels include `labels` (`"outcome=stored"`); null when there is none, and an
    /// error when more than one matches.
    public double? Value(string name, params string[] labels)
    {
        var wanted = labels.Select(l => l.Split('=', 2)).ToList();
        var matching = Samples.Where(s => s.Name == name && wanted.All(w => s.Labels.GetValueOrDefault(w[0]) == w[1])).ToList();
        return matching.Count switch
        {
            0 => null,
            1 => matching[0].Value,
            _ => throw new InvalidOperationException($"{matching.Count} samples of {name} match {string.Join(",", labels)}:\n{Text}"),
        };
    }

    private static List<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var match = SampleLine().Match(line);
            if (!match.Success) throw new FormatException($"Not a Prometheus sample line: {line}");
            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var number => double.Parse(number, CultureInfo.InvariantCulture),
            };
            samples.Add(new PrometheusSample(match.Groups["name"].Value, labels, value));
        }
        return samples;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex LabelPair();
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CredentialPortal.IntegrationTests.Telemetry;

public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, written from the format's description (not from the
/// exporter's code): HELP and TYPE lines, metric and label names, escaped label values, float values, every sample
/// belonging to the family its TYPE line announced, each family declared once and its samples together.
/// </summary>
public static partial class PrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Assert.DoesNotContain('\r', text);
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        string? family = null;
        var lines = text.Split('\n');
        Assert.Equal("", lines[^1]); // the last line ends with a line feed
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i];
            var where = $"line {i + 1}: {line}";
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ', 2);
                Assert.True(IsMetricName(parts[0]), where);
                if (line[2] == 'T')
                {
                    Assert.True(parts.Length == 2 && Types.Contains(parts[1]), where);
                    Assert.True(types.TryAdd(parts[0], parts[1]), $"second TYPE for {parts[0]}: {where}");
                    Assert.DoesNotContain(parts[0], finished);
                    if (family is not null && family != parts[0])
                    {
                        finished.Add(family);
                    }

                    family = parts[0];
                }

                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            var sample = ParseSample(line, where);
            Assert.True(family is not null && BelongsTo(sample, family, types[family]),
                $"sample outside its declared family ({family}): {where}");
            samples.Add(sample);
        }

        return samples;
    }

    /// <summary>The one sample named <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public static PrometheusSample Find(IEnumerable<PrometheusSample> samples, string name, params (string Key, string Value)[] labels)
    {
        var matching = samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
        Assert.True(matching.Count == 1,
            $"expected one {name} with {string.Join(',', labels)}, found {matching.Count}: {string.Join(" | ", samples.Where(s => s.Name == name).Select(Describe))}");
        return matching[0];
    }

    private static bool IsMetricName(string text) => MetricName().Match(text) is { Success: true, Index: 0 } match && match.Length == text.Length;

    private static string Describe(PrometheusSample s) => $"{{{string.Join(',', s.Labels.Select(l => $"{l.Key}={l.Value}"))}}} {s.Value}";

    private static bool BelongsTo(PrometheusSample sample, string family, string type) => type switch
    {
        "histogram" => sample.Name == family + "_count" || sample.Name == family + "_sum"
            || (sample.Name == family + "_bucket" && sample.Labels.ContainsKey("le")),
        "summary" => sample.Name == family || sample.Name == family + "_count" || sample.Name == family + "_sum",
        _ => sample.Name == family,
    };

    private static PrometheusSample ParseSample(string line, string where)
    {
        var position = 0;
        var name = MetricName().Match(line);
        Assert.True(name.Success && name.Index == 0, where);
        position = name.Length;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            while (line[position] != '}')
            {
                var label = LabelName().Match(line, position);
                Assert.True(label.Success && label.Index == position, where);
                position += label.Length;
                Assert.True(line[position] == '=' && line[position + 1] == '"', where);
                position += 2;
                var value = new StringBuilder();
                while (line[position] != '"')
                {
                    if (line[position] == '\\')
                    {
                        value.Append(line[position + 1] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new Xunit.Sdk.XunitException($"bad escape in label value: {where}"),
                        });
                        position += 2;
                    }
                    else
                    {
                        value.Append(line[position++]);
                    }
                }

                position++;
                Assert.True(labels.TryAdd(label.Value, value.ToString()), $"label {label.Value} twice: {where}");
                if (line[position] == ',')
                {
                    position++;
                }
            }

            position++;
        }

        Assert.True(position < line.Length && line[position] == ' ', where);
        var fields = line[(position + 1)..].Split(' ');
        Assert.True(fields.Length is 1 or 2, where);
        Assert.True(TryParseValue(fields[0], out var number), where);
        Assert.True(fields.Length == 1 || long.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _), where);
        return new PrometheusSample(name.Value, labels, number);
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "NaN": value = double.NaN; return true;
            case "+Inf": value = double.PositiveInfinity; return true;
            case "-Inf": value = double.NegativeInfinity; return true;
            default: return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    [GeneratedRegex("[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex MetricName();

    [GeneratedRegex("[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex LabelName();
}

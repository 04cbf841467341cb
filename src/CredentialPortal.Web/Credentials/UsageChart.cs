using System.Globalization;
using CredentialPortal.Core;
using CredentialPortal.Core.Usage;

namespace CredentialPortal.Web.Credentials;

/// <summary>
/// The geometry of a daily usage chart, drawn by <c>_UsageChart.cshtml</c> as inline SVG: no script, no style attribute
/// and no third party, so it renders under the portal's Content-Security-Policy. Tokens per day are bars stacked by
/// series (a credential, or all applications on the dashboard); failed authentications are a second, smaller row of
/// bars under them. The SVG scales to its container through its viewBox; the numbers are also a table beside it.
/// </summary>
public sealed class UsageChart
{
    public const double Width = 640;
    public const double TokensHeight = 150;
    public const double FailuresHeight = 40;
    public const double AxisWidth = 44;
    public const double Gap = 18;

    /// <summary>How many colours site.css defines (<c>.series-0</c> …); further series reuse them.</summary>
    public const int Colours = 6;

    public sealed record Bar(double X, double Y, double Width, double Height, int Series, string Title);

    public sealed record Series(int Index, string Label);

    public UsageChart(string id, IReadOnlyList<DateOnly> days, IReadOnlyList<Series> series, Func<int, int, long> tokens, Func<int, long> failures,
        Func<int, string>? failureReasons = null)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(failures);
        Id = id;
        Days = days;
        Legend = series;
        Values = [.. days.Select((_, d) => (IReadOnlyList<long>)[.. series.Select(s => tokens(d, s.Index))])];
        var totals = Values.Select(v => v.Sum()).ToList();
        var failed = days.Select((_, d) => failures(d)).ToList();
        TokensPerDay = totals;
        FailuresPerDay = failed;
        FailureReasons = [.. days.Select((_, d) => failureReasons?.Invoke(d) ?? "")];
        MaxTokens = NiceCeiling(totals.DefaultIfEmpty(0).Max());
        MaxFailures = NiceCeiling(failed.DefaultIfEmpty(0).Max());
        TotalTokens = totals.Sum();
        TotalFailures = failed.Sum();
        var slot = (Width - AxisWidth) / Math.Max(1, days.Count);
        BarWidth = Math.Max(1, slot * 0.8);
        var bars = new List<Bar>();
        var failureBars = new List<Bar>();
        for (var d = 0; d < days.Count; d++)
        {
            var x = AxisWidth + d * slot + (slot - BarWidth) / 2;
            var top = TokensHeight;
            foreach (var s in series)
            {
                var count = tokens(d, s.Index);
                if (count == 0)
                {
                    continue;
                }

                var height = TokensHeight * count / MaxTokens;
                top -= height;
                bars.Add(new Bar(x, top, BarWidth, height, s.Index % Colours, $"{Date(days[d])}: {Number(count)} tokens, {s.Label}"));
            }

            if (failed[d] > 0)
            {
                var height = FailuresHeight * failed[d] / MaxFailures;
                failureBars.Add(new Bar(x, TokensHeight + Gap + FailuresHeight - height, BarWidth, height, 0,
                    $"{Date(days[d])}: {Number(failed[d])} failed authentications"));
            }
        }

        TokenBars = bars;
        FailureBars = failureBars;
    }

    public string Id { get; }
    public IReadOnlyList<DateOnly> Days { get; }
    public IReadOnlyList<Series> Legend { get; }

    /// <summary>Per day, per series: the tokens (the table's cells).</summary>
    public IReadOnlyList<IReadOnlyList<long>> Values { get; }
    public IReadOnlyList<long> TokensPerDay { get; }
    public IReadOnlyList<long> FailuresPerDay { get; }

    /// <summary>Per day: the failures by reason in words ("wrong_secret 3, expired_secret 1"), or empty.</summary>
    public IReadOnlyList<string> FailureReasons { get; }
    public IReadOnlyList<Bar> TokenBars { get; }
    public IReadOnlyList<Bar> FailureBars { get; }
    public long MaxTokens { get; }
    public long MaxFailures { get; }
    public long TotalTokens { get; }
    public long TotalFailures { get; }
    public double BarWidth { get; }
    public static double Height => TokensHeight + Gap + FailuresHeight + Gap;

    /// <summary>What a screen reader hears for the picture; the table has the numbers.</summary>
    public string Summary => Days.Count == 0 ? "No days"
        : $"{Number(TotalTokens)} {PortalText.Noun(TotalTokens, "token")} and {Number(TotalFailures)} failed {PortalText.Noun(TotalFailures, "authentication")} from {Date(Days[0])} to {Date(Days[^1])}";

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// An axis maximum (<see cref="NiceCeiling"/>: 1, 2 or 5 times a power of ten) in a few characters: "500", "2k",
    /// "50k", "1M". A phone shrinks the chart to half its size, and a short label can then be drawn large enough to read.
    /// </summary>
    public static string Tick(long value) =>
        value >= 1_000_000 && value % 1_000_000 == 0 ? $"{value / 1_000_000}M"
        : value >= 1_000 && value % 1_000 == 0 ? $"{value / 1_000}k"
        : Number(value);

    public static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A coordinate for an SVG attribute: invariant, two decimals.</summary>
    public static string At(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The axis maximum: 1, 2 or 5 times a power of ten, at least the largest value (and at least 1, so that bars of zero stay flat).</summary>
    public static long NiceCeiling(long value)
    {
        for (long power = 1; ; power *= 10)
        {
            foreach (var step in (ReadOnlySpan<long>)[1, 2, 5])
            {
                if (step * power >= value)
                {
                    return step * power;
                }
            }
        }
    }

    /// <summary>An application's chart: one series per credential that obtained tokens in the range.</summary>
    public static UsageChart For(string id, UsageSeries usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var series = usage.Credentials.Select((c, i) => new Series(i, c.Hint.Length > 0 ? $"{c.Name} ({c.Hint})" : c.Name)).ToList();
        return new UsageChart(id, [.. usage.Days.Select(d => d.Day)], series,
            (d, s) => usage.Days[d].TokensByCredential.GetValueOrDefault(usage.Credentials[s].Id),
            d => usage.Days[d].Failures,
            d => usage.Days[d].FailuresByReason.Count == 0 ? "" : string.Join(", ", usage.Days[d].FailuresByReason.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal)
                .Select(r => $"{r.Key} {Number(r.Value)}")));
    }

    /// <summary>The dashboard's chart: every application's tokens as one series.</summary>
    public static UsageChart For(string id, IReadOnlyList<UsageTotal> totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return new UsageChart(id, [.. totals.Select(t => t.Day)], [new Series(0, "all applications")],
            (d, _) => totals[d].Tokens, d => totals[d].Failures);
    }
}

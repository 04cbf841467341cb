using System.Collections.ObjectModel;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Usage;

/// <summary>A credential in a usage series, as the chart's legend and the API name it; <c>Kind</c> null when it was deleted since.</summary>
public sealed record UsageCredential(int Id, string Name, string Hint, CredentialKind? Kind);

/// <summary>One UTC day of an application: tokens per credential id, failed authentications per reason.</summary>
public sealed record UsageDay(DateOnly Day, IReadOnlyDictionary<int, long> TokensByCredential, IReadOnlyDictionary<string, long> FailuresByReason)
{
    public long Tokens => TokensByCredential.Values.Sum();
    public long Failures => FailuresByReason.Values.Sum();
}

/// <summary>An application's daily usage, every day of the range present (zero when nothing happened), oldest first.</summary>
public sealed record UsageSeries(DateOnly From, DateOnly To, IReadOnlyList<UsageDay> Days, IReadOnlyList<UsageCredential> Credentials)
{
    public long Tokens => Days.Sum(d => d.Tokens);
    public long Failures => Days.Sum(d => d.Failures);
}

/// <summary>All applications' tokens and failures on one day (the administration dashboard).</summary>
public sealed record UsageTotal(DateOnly Day, long Tokens, long Failures);

/// <summary>An application and its failed authentications over a range.</summary>
public sealed record FailingApplication(int ApplicationId, string Name, string ClientId, long Failures);

/// <summary>
/// What the pages, the dashboard and the management API read of the daily usage counts (<see cref="UsageCount"/>): one
/// place, so that the chart, its table and <c>GET …/usage</c> show the same numbers. Days are UTC calendar days ending
/// today; the counts of the current minute may still be in a token service's memory (flushed every few seconds).
/// </summary>
public static class UsageQueries
{
    /// <summary>The ranges the credentials page offers.</summary>
    public static IReadOnlyList<int> ChartDays { get; } = [30, 90];

    private static readonly IReadOnlyDictionary<int, long> NoCounts = ReadOnlyDictionary<int, long>.Empty;
    private static readonly IReadOnlyDictionary<string, long> NoReasons = ReadOnlyDictionary<string, long>.Empty;

    /// <summary>The longest range the API answers: the default retention (Retention:UsageCounts).</summary>
    public const int MaxDays = 400;

    /// <summary>Why <paramref name="days"/> is not a range to answer, or null.</summary>
    public static string? ValidateDays(int days) =>
        days is < 1 or > MaxDays ? $"days must be a whole number from 1 to {MaxDays}." : null;

    /// <summary>The first day of a range of <paramref name="days"/> days ending today (UTC).</summary>
    public static DateOnly FirstDay(DateTime now, int days) => DateOnly.FromDateTime(now).AddDays(1 - days);

    public static async Task<UsageSeries> ForApplicationAsync(CredentialPortalDbContext db, int applicationId, int days, DateTime now,
        CancellationToken cancellationToken = default) =>
        (await ForApplicationsAsync(db, [applicationId], days, now, cancellationToken))[applicationId];

    /// <summary>Each application's series (every id present, empty ones too), in two queries whatever the number of applications.</summary>
    public static async Task<IReadOnlyDictionary<int, UsageSeries>> ForApplicationsAsync(CredentialPortalDbContext db, IReadOnlyCollection<int> applicationIds,
        int days, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(applicationIds);
        var (from, to) = (FirstDay(now, days), DateOnly.FromDateTime(now));
        var ids = applicationIds.ToList();
        var rows = (await db.UsageCounts.AsNoTracking()
                .Where(u => ids.Contains(u.ApplicationId) && u.Day >= from && u.Day <= to)
                .Select(u => new { u.ApplicationId, u.Day, u.CredentialId, u.FailureReason, u.Count })
                .ToListAsync(cancellationToken))
            .ToLookup(u => u.ApplicationId);
        var credentialIds = rows.SelectMany(g => g).Where(r => r.FailureReason.Length == 0).Select(r => r.CredentialId).Distinct().ToList();
        var known = await db.ClientCredentials.AsNoTracking()
            .Where(c => credentialIds.Contains(c.Id))
            .Select(c => new UsageCredential(c.Id, c.Name, c.Hint, c.Kind))
            .ToDictionaryAsync(c => c.Id, cancellationToken);
        var series = new Dictionary<int, UsageSeries>();
        foreach (var id in ids)
        {
            var byDay = rows[id].ToLookup(r => r.Day);
            var dayList = new List<UsageDay>(days);
            for (var day = from; day <= to; day = day.AddDays(1))
            {
                // Most days of most applications are empty: a list page shows twenty applications of 30 or 90 days each.
                if (!byDay.Contains(day))
                {
                    dayList.Add(new UsageDay(day, NoCounts, NoReasons));
                    continue;
                }

                var today = byDay[day].ToList();
                dayList.Add(new UsageDay(day,
                    today.Where(r => r.FailureReason.Length == 0).GroupBy(r => r.CredentialId).ToDictionary(g => g.Key, g => g.Sum(r => r.Count)),
                    today.Where(r => r.FailureReason.Length > 0).GroupBy(r => r.FailureReason, StringComparer.Ordinal)
                        .ToDictionary(g => g.Key, g => g.Sum(r => r.Count), StringComparer.Ordinal)));
            }

            // The legend's order: most tokens first, so the busiest credential sits at the bottom of each bar.
            var credentials = rows[id].Where(r => r.FailureReason.Length == 0)
                .GroupBy(r => r.CredentialId)
                .OrderByDescending(g => g.Sum(r => r.Count)).ThenBy(g => g.Key)
                .Select(g => known.GetValueOrDefault(g.Key) ?? new UsageCredential(g.Key, $"Deleted credential #{g.Key}", "", null))
                .ToList();
            series[id] = new UsageSeries(from, to, dayList, credentials);
        }

        return series;
    }

    /// <summary>Every application's tokens and failures per day, every day of the range present, oldest first.</summary>
    public static async Task<IReadOnlyList<UsageTotal>> TotalsAsync(CredentialPortalDbContext db, int days, DateTime now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var (from, to) = (FirstDay(now, days), DateOnly.FromDateTime(now));
        var sums = await db.UsageCounts.AsNoTracking()
            .Where(u => u.Day >= from && u.Day <= to)
            .GroupBy(u => new { u.Day, Failure = u.FailureReason != "" })
            .Select(g => new { g.Key.Day, g.Key.Failure, Count = g.Sum(u => u.Count) })
            .ToListAsync(cancellationToken);
        var totals = new List<UsageTotal>(days);
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            totals.Add(new UsageTotal(day,
                sums.Where(s => s.Day == day && !s.Failure).Sum(s => s.Count),
                sums.Where(s => s.Day == day && s.Failure).Sum(s => s.Count)));
        }

        return totals;
    }

    /// <summary>The <paramref name="top"/> applications with the most failed authentications in the range, most first.</summary>
    public static async Task<IReadOnlyList<FailingApplication>> MostFailuresAsync(CredentialPortalDbContext db, int days, DateTime now, int top,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var from = FirstDay(now, days);
        var failing = await db.UsageCounts.AsNoTracking()
            .Where(u => u.Day >= from && u.FailureReason != "")
            .GroupBy(u => u.ApplicationId)
            .Select(g => new { ApplicationId = g.Key, Failures = g.Sum(u => u.Count) })
            .OrderByDescending(g => g.Failures).ThenBy(g => g.ApplicationId)
            .Take(top)
            .ToListAsync(cancellationToken);
        var ids = failing.Select(f => f.ApplicationId).ToList();
        var names = await db.Applications.AsNoTracking().Where(a => ids.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, a => (a.Name, a.ClientId), cancellationToken);
        return [.. failing.Where(f => names.ContainsKey(f.ApplicationId))
            .Select(f => new FailingApplication(f.ApplicationId, names[f.ApplicationId].Name, names[f.ApplicationId].ClientId, f.Failures))];
    }
}

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// How long a credential of any kind may live: at most one year. An expiry chosen as a date means "usable until that day
/// starts (UTC)". A kind's own limits come on top (a key never outlives its certificate, <see cref="KeyManagement"/>).
/// </summary>
public static class CredentialExpiryPolicy
{
    /// <summary>Days before expiry from which the portal warns.</summary>
    public const int WarningDays = 30;

    public static DateTime MaximumExpiry(DateTime now) => now.AddYears(1);

    /// <summary>The default expiry date offered in forms: one year from today.</summary>
    public static DateOnly DefaultExpiryDate(DateTime now) => DateOnly.FromDateTime(now).AddYears(1);

    /// <summary>The latest date a form may choose.</summary>
    public static DateOnly LatestExpiryDate(DateTime now) => DateOnly.FromDateTime(now).AddYears(1);

    /// <summary>The earliest date a form may choose: tomorrow, so that the credential works for a while.</summary>
    public static DateOnly EarliestExpiryDate(DateTime now) => DateOnly.FromDateTime(now).AddDays(1);

    /// <summary>The lifetimes, in days, the forms offer as one-click choices beside the date field.</summary>
    public static IReadOnlyList<int> PresetDays { get; } = [30, 90, 365];

    /// <summary>The <see cref="PresetDays"/> as the dates they set, those a form may choose (up to <see cref="LatestExpiryDate"/>).</summary>
    public static IReadOnlyList<(int Days, DateOnly Date)> Presets(DateTime now) =>
        [.. PresetDays.Select(days => (days, DateOnly.FromDateTime(now).AddDays(days))).Where(p => p.Item2 <= LatestExpiryDate(now))];

    public static DateTime ExpiresAtFor(DateOnly date) => date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>Validates an expiry instant for a credential of <paramref name="kind"/>; returns an error message, or null when it is allowed.</summary>
    public static string? Validate(CredentialKind kind, DateTime expiresAt, DateTime now) =>
        expiresAt <= now ? "The expiry date must be in the future."
        : expiresAt > MaximumExpiry(now) ? kind.Words().AtMostOneYear()
        : null;

    /// <summary>Validates an expiry date chosen in a form.</summary>
    public static string? Validate(CredentialKind kind, DateOnly date, DateTime now) =>
        date < EarliestExpiryDate(now) ? "The expiry date must be after today."
        : date > LatestExpiryDate(now) ? kind.Words().AtMostOneYear(LatestExpiryDate(now))
        : null;

    /// <summary>
    /// Days left: UTC calendar days from <paramref name="now"/>'s date to the expiry's date, negative after the expiry
    /// day. A credential expiring at 2027-01-10 00:00 UTC has 7 days left all of 2027-01-03 and 1 day left all of
    /// 2027-01-09, its last usable day. The one rule for pages, the dashboard, emails, the API and the reminder schedule,
    /// so that none of them depends on the time of day.
    /// </summary>
    public static int DaysLeft(DateTime expiresAt, DateTime now) => (expiresAt.Date - now.Date).Days;

    /// <summary>Whether the portal warns about a credential: fewer than <see cref="WarningDays"/> days left.</summary>
    public static bool IsExpiringSoon(DateTime expiresAt, DateTime now) => DaysLeft(expiresAt, now) < WarningDays;

    /// <summary>
    /// The instant before which an expiry counts as expiring soon (<see cref="IsExpiringSoon"/>), for database queries:
    /// the start of the day <see cref="WarningDays"/> days from today.
    /// </summary>
    public static DateTime ExpiringSoonBefore(DateTime now) => now.Date.AddDays(WarningDays);
}

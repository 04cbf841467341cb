namespace CredentialPortal.Core.Secrets;

/// <summary>
/// How long a secret may live. An expiry chosen as a date means "usable until that day starts (UTC)".
/// </summary>
public static class SecretExpiryPolicy
{
    /// <summary>Days before expiry from which the portal warns.</summary>
    public const int WarningDays = 30;

    public static DateTime MaximumExpiry(DateTime now) => now.AddYears(1);

    /// <summary>The default expiry date offered in forms: one year from today.</summary>
    public static DateOnly DefaultExpiryDate(DateTime now) => DateOnly.FromDateTime(now).AddYears(1);

    /// <summary>The latest date a form may choose.</summary>
    public static DateOnly LatestExpiryDate(DateTime now) => DateOnly.FromDateTime(now).AddYears(1);

    /// <summary>The earliest date a form may choose: tomorrow, so that the secret works for a while.</summary>
    public static DateOnly EarliestExpiryDate(DateTime now) => DateOnly.FromDateTime(now).AddDays(1);

    public static DateTime ExpiresAtFor(DateOnly date) => date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>Validates an expiry instant; returns an error message, or null when it is allowed.</summary>
    public static string? Validate(DateTime expiresAt, DateTime now)
    {
        if (expiresAt <= now)
        {
            return "The expiry date must be in the future.";
        }

        if (expiresAt > MaximumExpiry(now))
        {
            return "A secret can be valid for at most one year.";
        }

        return null;
    }

    /// <summary>Validates an expiry date chosen in a form.</summary>
    public static string? Validate(DateOnly date, DateTime now) =>
        date < EarliestExpiryDate(now) ? "The expiry date must be after today."
        : date > LatestExpiryDate(now) ? $"A secret can be valid for at most one year (until {LatestExpiryDate(now):yyyy-MM-dd})."
        : null;

    /// <summary>
    /// Days left: UTC calendar days from <paramref name="now"/>'s date to the expiry's date, negative after the expiry
    /// day. A secret expiring at 2027-01-10 00:00 UTC has 7 days left all of 2027-01-03 and 1 day left all of
    /// 2027-01-09, its last usable day. The one rule for pages, the dashboard, emails, the API and the reminder schedule,
    /// so that none of them depends on the time of day.
    /// </summary>
    public static int DaysLeft(DateTime expiresAt, DateTime now) => (expiresAt.Date - now.Date).Days;

    /// <summary>Whether the portal warns about a secret: fewer than <see cref="WarningDays"/> days left.</summary>
    public static bool IsExpiringSoon(DateTime expiresAt, DateTime now) => DaysLeft(expiresAt, now) < WarningDays;

    /// <summary>
    /// The instant before which an expiry counts as expiring soon (<see cref="IsExpiringSoon"/>), for database queries:
    /// the start of the day <see cref="WarningDays"/> days from today.
    /// </summary>
    public static DateTime ExpiringSoonBefore(DateTime now) => now.Date.AddDays(WarningDays);
}

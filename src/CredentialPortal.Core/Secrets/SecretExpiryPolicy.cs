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

    /// <summary>Whole days left until expiry, rounded down; negative once expired.</summary>
    public static int DaysLeft(DateTime expiresAt, DateTime now) => (int)Math.Floor((expiresAt - now).TotalDays);
}

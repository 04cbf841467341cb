using System.Globalization;

namespace CredentialPortal.Core;

/// <summary>
/// How pages and emails write an instant and a count, so that all of them read the same: one unambiguous format with
/// its zone ("2026-12-06 15:03 UTC"), never a reader's locale that hides the zone ("Dec 6, 2026, 3:02 PM"), and proper
/// singulars and plurals instead of "secret(s)".
/// </summary>
public static class PortalText
{
    /// <summary>The product's one name, in the header and titles of every page and email.</summary>
    public const string ProductName = "Manage API Credentials";

    /// <summary>"2026-12-06 15:03 UTC". Every stored instant is UTC; an unspecified kind is read as UTC.</summary>
    public static string Time(DateTime utc) =>
        (utc.Kind == DateTimeKind.Local ? utc.ToUniversalTime() : utc).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset instant) => Time(instant.UtcDateTime);

    /// <summary>"1 secret", "3 secrets"; <paramref name="plural"/> for the irregular ones ("1 person", "2 people").</summary>
    public static string Count(int count, string singular, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {Noun(count, singular, plural)}");

    /// <summary>The noun alone, for a count shown apart from it (a dashboard tile's large number): "secret", "secrets".</summary>
    public static string Noun(long count, string singular, string? plural = null)
    {
        ArgumentNullException.ThrowIfNull(singular);
        return count == 1 ? singular : plural ?? singular + "s";
    }
}

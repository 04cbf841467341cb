using System.Globalization;
using System.Linq.Expressions;

namespace CredentialPortal.Core.Credentials;

/// <summary>Why a credential counts as unused (<see cref="UnusedCredentials"/>).</summary>
public enum UnusedReason
{
    /// <summary>No token was ever issued with it, and it was created <see cref="UnusedCredentials.Days"/> or more days ago.</summary>
    NeverUsed,

    /// <summary>Its last token was issued <see cref="UnusedCredentials.Days"/> or more days ago.</summary>
    NotUsedRecently,
}

/// <summary>
/// An unused credential as pages and the monthly digest describe it: why, and for how many whole days
/// (since its creation when never used, else since its last use).
/// </summary>
public sealed record UnusedFlag(UnusedReason Reason, int Days, DateTime Since)
{
    /// <summary>"Never used in the 120 days since it was created", "Not used for 95 days".</summary>
    public string Describe() => Reason == UnusedReason.NeverUsed
        ? string.Create(CultureInfo.InvariantCulture, $"Never used in the {PortalText.Count(Days, "day")} since it was created")
        : string.Create(CultureInfo.InvariantCulture, $"Not used for {PortalText.Count(Days, "day")} (last used {PortalText.Time(Since)})");

    /// <summary>What the portal suggests: the words beside the flag and in the digest.</summary>
    public const string Suggestion = "if nothing needs it any more, delete it";
}

/// <summary>
/// The one rule for "unused" credentials, for the credentials page's flags and the monthly digest to credential managers:
/// an active credential (not disabled, not expired, not already replaced in a rotation) of any kind that was never used
/// and is at least <see cref="Days"/> days old, or whose last use is at least <see cref="Days"/> days ago. A disabled or
/// expired credential obtains no token whoever holds it, and a replaced one's end is already set, so flagging those
/// would only add noise; an expired one is deleted after the operator's retention anyway.
/// </summary>
public static class UnusedCredentials
{
    /// <summary>Days without a token after which a credential counts as unused (issue 35: "unused for 90 days").</summary>
    public const int Days = 90;

    /// <summary>The instant before which a creation or last use counts as "unused" at <paramref name="now"/>.</summary>
    public static DateTime UnusedBefore(DateTime now) => now.AddDays(-Days);

    /// <summary>The flag of a credential at <paramref name="now"/>, or null when it is not unused by the rule.</summary>
    public static UnusedFlag? Of(DateTime createdAt, DateTime? lastUsedAt, DateTime? disabledAt, DateTime expiresAt, int? replacedById, DateTime now)
    {
        if (ClientCredential.StatusOf(disabledAt, expiresAt, now) != CredentialStatus.Active || replacedById is not null)
        {
            return null;
        }

        var since = lastUsedAt ?? createdAt;
        if (since > UnusedBefore(now))
        {
            return null;
        }

        return new UnusedFlag(lastUsedAt is null ? UnusedReason.NeverUsed : UnusedReason.NotUsedRecently, (int)(now - since).TotalDays, since);
    }

    public static UnusedFlag? Of(ClientCredential credential, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return Of(credential.CreatedAt, credential.LastUsedAt, credential.DisabledAt, credential.ExpiresAt, credential.ReplacedById, now);
    }

    /// <summary>The same rule as a database query: the credentials <see cref="Of(ClientCredential, DateTime)"/> flags.</summary>
    public static Expression<Func<ClientCredential, bool>> At(DateTime now)
    {
        var before = UnusedBefore(now);
        return c => c.DisabledAt == null && c.ExpiresAt > now && c.ReplacedById == null
            && (c.LastUsedAt == null ? c.CreatedAt <= before : c.LastUsedAt <= before);
    }
}

using System.Globalization;
using CredentialPortal.Core.Credentials;

namespace CredentialPortal.Reminders;

/// <summary>
/// One reminder of a secret: <c>42d</c>, <c>21d</c>, <c>7d</c> (the weekly ones), <c>6d</c> … <c>0d</c> (daily in
/// the last week) or <c>expired</c> (the final notice). Part of the reminder email's identity key (<see cref="ReminderEmail.IdentityKey"/>).
/// </summary>
public readonly record struct ReminderSlot
{
    private const string ExpiredName = "expired";

    private ReminderSlot(int daysBefore) => DaysBefore = daysBefore;

    /// <summary>UTC calendar days before the expiry date this slot starts; -1 for the final notice.</summary>
    public int DaysBefore { get; }

    public static ReminderSlot Expired { get; } = new(-1);

    public static ReminderSlot DaysBeforeExpiry(int days) =>
        days is >= 0 and <= ReminderSchedule.FirstReminderDays ? new(days) : throw new ArgumentOutOfRangeException(nameof(days));

    public bool IsFinalNotice => DaysBefore < 0;

    /// <summary>The 6-, 3- and 1-week reminders, which still go out after the secret was replaced.</summary>
    public bool IsWeekly => DaysBefore is ReminderSchedule.FirstReminderDays or ReminderSchedule.SecondReminderDays or ReminderSchedule.LastWeeklyReminderDays;

    public string Name => IsFinalNotice ? ExpiredName : DaysBefore.ToString(CultureInfo.InvariantCulture) + "d";

    /// <summary>Slots of one secret fall due in this order: 42d, 21d, 7d, 6d … 0d, expired.</summary>
    public bool IsLaterThan(ReminderSlot other) => DaysBefore < other.DaysBefore;

    public static bool TryParse(string? name, out ReminderSlot slot)
    {
        slot = default;
        if (name == ExpiredName)
        {
            slot = Expired;
            return true;
        }

        if (name is { Length: >= 2 } && name[^1] == 'd'
            && int.TryParse(name.AsSpan(0, name.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var days)
            && days <= ReminderSchedule.FirstReminderDays)
        {
            slot = new(days);
            return true;
        }

        return false;
    }

    public override string ToString() => Name;
}

/// <summary>
/// Which reminder of a secret is due at a given instant (docs/rules.md#expiry-reminders).
/// </summary>
/// <remarks>
/// <para>
/// Days are UTC calendar days: <see cref="CredentialExpiryPolicy.DaysLeft"/> is the number of days from today's UTC date to the UTC date of
/// the expiry instant. A secret expiring at 2027-01-10T00:00Z (the portal's expiry dates start their day, see
/// <c>CredentialExpiryPolicy.ExpiresAtFor</c>) has 7 days left during all of 2027-01-03 UTC and 1 day left during all of
/// 2027-01-09, its last usable day. The reminder days therefore do not depend on the time of day the secret was
/// created or the pass runs.
/// </para>
/// <para>
/// The slot due is the latest one whose day has come: <c>42d</c> from 42 days left, <c>21d</c> from 21, <c>7d</c>
/// from 7, then <c>6d</c> … <c>1d</c> daily (and <c>0d</c> on the expiry date itself for a secret that expires later
/// in that day). Once the secret is replaced (the application has another enabled secret expiring later), daily
/// slots are no longer due and <c>7d</c> stays the latest due slot. From the expiry instant the final notice
/// (<c>expired</c>) is due if the secret was not replaced, i.e. its expiry left the application without an active
/// secret (a secret expiring later would still be active). It stays due for <see cref="FinalNoticePeriod"/>, so
/// that an outage of up to a week still delivers it while long-expired secrets stay quiet.
/// </para>
/// <para>
/// Only the latest due slot is ever sent: after downtime the missed earlier slots are skipped, and a slot is sent
/// at most once (the caller records claimed slots). Disabled and deleted secrets are never passed in.
/// </para>
/// </remarks>
public static class ReminderSchedule
{
    public const int FirstReminderDays = 42;
    public const int SecondReminderDays = 21;
    public const int LastWeeklyReminderDays = 7;

    /// <summary>How long after expiry the final notice may still go out (covers downtime).</summary>
    public static readonly TimeSpan FinalNoticePeriod = TimeSpan.FromDays(7);

    /// <summary>
    /// The slot due now, or null when none is. <paramref name="replaced"/>: the application has another enabled
    /// secret that expires later than this one.
    /// </summary>
    public static ReminderSlot? DueSlot(DateTime expiresAt, DateTime now, bool replaced)
    {
        if (now >= expiresAt)
        {
            return !replaced && now < expiresAt + FinalNoticePeriod ? ReminderSlot.Expired : null;
        }

        var daysLeft = CredentialExpiryPolicy.DaysLeft(expiresAt, now);
        return daysLeft switch
        {
            > FirstReminderDays => null,
            > SecondReminderDays => ReminderSlot.DaysBeforeExpiry(FirstReminderDays),
            > LastWeeklyReminderDays => ReminderSlot.DaysBeforeExpiry(SecondReminderDays),
            _ when replaced => ReminderSlot.DaysBeforeExpiry(LastWeeklyReminderDays),
            _ => ReminderSlot.DaysBeforeExpiry(daysLeft),
        };
    }

    /// <summary>
    /// The start of the first slot after <paramref name="now"/>: the earliest instant at which <see cref="DueSlot"/> can
    /// name a later slot than at <paramref name="now"/>, whether or not the secret is replaced (a replaced secret's slots
    /// start at some of these instants: 42d, 21d and 7d alike, its daily ones and final notice never). The reminder pass
    /// looks at the secret again then. Null from the expiry instant on: the final notice is the last slot.
    /// </summary>
    public static DateTime? NextSlotStart(DateTime expiresAt, DateTime now)
    {
        if (now >= expiresAt)
        {
            return null;
        }

        var expiryDate = expiresAt.Date;
        return CredentialExpiryPolicy.DaysLeft(expiresAt, now) switch
        {
            > FirstReminderDays => expiryDate.AddDays(-FirstReminderDays),
            > SecondReminderDays => expiryDate.AddDays(-SecondReminderDays),
            > LastWeeklyReminderDays => expiryDate.AddDays(-LastWeeklyReminderDays),
            // Daily from 7 days left: tomorrow's slot, which on the last usable day is the expiry date's 0d slot, or
            // the final notice of a secret expiring at midnight.
            > 0 => now.Date.AddDays(1),
            // The expiry date itself, before a secret expiring later that day expires: the final notice.
            _ => expiresAt,
        };
    }
}

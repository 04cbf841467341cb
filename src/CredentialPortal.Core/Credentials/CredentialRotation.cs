using System.Globalization;
using System.Xml;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// How long a credential replaced in a rotation keeps working: <paramref name="Period"/> from the rotation, or, when
/// <paramref name="AfterFirstUse"/> is chosen, that long after the replacement first obtains a token, if sooner.
/// </summary>
public sealed record RotationGrace(TimeSpan Period, TimeSpan? AfterFirstUse = null);

/// <summary>A rotation asked of a creation: the credential the new one replaces, and how long it keeps working.</summary>
public sealed record CredentialReplacement(ClientCredential Replaced, RotationGrace Grace);

/// <summary>
/// The rotation rules, for every kind of credential (<c>docs/rules.md#rotation</c>): a new credential replaces an active
/// one of the same application, which then expires at the end of a grace period (default 7 days, at most 30) — never
/// later than it would have — or, if chosen, a set time after the new one is first used. The replaced one gets no more
/// reminders (<see cref="CredentialQueries.ReminderCandidates"/>). The change itself is
/// <see cref="CredentialLifecycle.AddAsync(Application, ClientCredential, AuditActor, CredentialReplacement?, CancellationToken)"/>'s.
/// </summary>
public static class CredentialRotation
{
    public const string GraceField = "GracePeriod";
    public const string AfterFirstUseField = "RetireAfterFirstUse";
    public const string ReplacesField = "Replaces";

    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromDays(7);
    public static readonly TimeSpan MaxGracePeriod = TimeSpan.FromDays(30);

    /// <summary>Shorter would cut off a system that is still switching over; it is also the unit of "after first use".</summary>
    public static readonly TimeSpan MinGracePeriod = TimeSpan.FromMinutes(1);

    /// <summary>The grace periods, in days, forms offer.</summary>
    public static IReadOnlyList<int> GraceDays { get; } = [1, 7, 14, 30];

    /// <summary>The "after first use" choices, in hours, forms offer.</summary>
    public static IReadOnlyList<int> AfterFirstUseHours { get; } = [1, 24, 72];

    /// <summary>
    /// Reads an ISO 8601 duration (<c>P7D</c>, <c>PT12H</c>, <c>P1DT6H</c>) as XML Schema's <c>xs:duration</c>; null or
    /// empty is <paramref name="fallback"/>. Returns an error message for anything else.
    /// </summary>
    public static (TimeSpan? Value, string? Error) ParseDuration(string? value, TimeSpan? fallback, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return (fallback, null);
        }

        try
        {
            return (XmlConvert.ToTimeSpan(value.Trim()), null);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            return (null, $"{field} must be an ISO 8601 duration such as P7D (7 days) or PT12H (12 hours).");
        }
    }

    /// <summary>Why this grace cannot be chosen, or null: the period from one minute to 30 days, "after first use" within it.</summary>
    public static (string Field, string Error)? Validate(RotationGrace grace)
    {
        ArgumentNullException.ThrowIfNull(grace);
        if (grace.Period < MinGracePeriod || grace.Period > MaxGracePeriod)
        {
            return (GraceField, $"The grace period must be from {Describe(MinGracePeriod)} to {Describe(MaxGracePeriod)}.");
        }

        if (grace.AfterFirstUse is { } afterUse && (afterUse < MinGracePeriod || afterUse > grace.Period))
        {
            return (AfterFirstUseField,
                $"The time after first use must be from {Describe(MinGracePeriod)} to the grace period ({Describe(grace.Period)}).");
        }

        return null;
    }

    /// <summary>Why <paramref name="replacement"/> cannot be rotated now, or null: it must be an active, not yet replaced credential of the application.</summary>
    public static (string Field, string Error)? Validate(Application application, CredentialReplacement replacement, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(replacement);
        var replaced = replacement.Replaced;
        var words = replaced.Kind.Words();
        return replaced.ApplicationId != application.Id ? (ReplacesField, $"That {words.Noun} is not one of {application.Name}'s.")
            : replaced.ReplacedById is { } by ? (ReplacesField,
                $"{words.Label} “{replaced.Name}” was already rotated: it expires at the end of its grace period. Rotate its replacement (#{by}) instead.")
            : !replaced.IsUsableAt(now) ? (ReplacesField,
                $"{words.Label} “{replaced.Name}” is {replaced.StatusAt(now).ToString().ToLowerInvariant()}: only an active {words.Noun} can be rotated. Create a new one instead.")
            : Validate(replacement.Grace);
    }

    /// <summary>"7 days", "12 hours", "90 minutes": a duration as the forms, emails and audit say it.</summary>
    public static string Describe(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerDay == 0 ? PortalText.Count((int)duration.TotalDays, "day")
        : duration.Ticks % TimeSpan.TicksPerHour == 0 ? PortalText.Count((int)duration.TotalHours, "hour")
        : PortalText.Count((int)Math.Ceiling(duration.TotalMinutes), "minute");

    /// <summary>When the replaced credential stops: the end of the grace period, never later than its current expiry.</summary>
    public static DateTime GraceEnd(DateTime currentExpiry, DateTime from, TimeSpan grace) =>
        from + grace < currentExpiry ? from + grace : currentExpiry;

    /// <summary>
    /// "After first use": for each credential in <paramref name="firstUsed"/> (id → when it obtained a token, as the
    /// token service flushes it), the credentials it replaced with that choice now expire that long after — if sooner —
    /// and the choice is cleared; audited, and recorded in the change log so every token-service instance reloads the
    /// client. The flush reports the latest use of its interval, so the expiry is at most one flush interval later than
    /// the first use would make it: never sooner than the manager chose. Saved with the caller's SaveChanges; returns the
    /// applications whose credentials changed.
    /// </summary>
    public static async Task<IReadOnlyList<int>> ApplyFirstUseAsync(CredentialPortalDbContext db, IReadOnlyDictionary<int, DateTime> firstUsed, TimeProvider time,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(firstUsed);
        ArgumentNullException.ThrowIfNull(time);
        var ids = firstUsed.Keys.ToList();
        var retiring = await db.ClientCredentials
            .Where(c => c.ReplacedById != null && ids.Contains(c.ReplacedById.Value) && c.RetireSecondsAfterReplacementUse != null)
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var audit = new AuditLog(db, time);
        foreach (var credential in retiring)
        {
            var usedAt = firstUsed[credential.ReplacedById!.Value];
            credential.ExpiresAt = GraceEnd(credential.ExpiresAt, usedAt, TimeSpan.FromSeconds(credential.RetireSecondsAfterReplacementUse!.Value));
            credential.RetireSecondsAfterReplacementUse = null;
            db.RecordCredentialChange(credential.ApplicationId, now);
            audit.Add(credential.Kind.Words().Events.Rotated, AuditActor.System,
                string.Create(CultureInfo.InvariantCulture,
                    $"{credential.Noun} '{credential.Name}' ({credential.DisplayHint}) now expires at {PortalText.Time(credential.ExpiresAt)}: its replacement (#{credential.ReplacedById}) obtained a token at {PortalText.Time(usedAt)}"),
                applicationId: credential.ApplicationId, credentialId: credential.Id);
        }

        return [.. retiring.Select(c => c.ApplicationId).Distinct()];
    }
}

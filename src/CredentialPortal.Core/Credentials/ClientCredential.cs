namespace CredentialPortal.Core.Credentials;

/// <summary>Whether a credential obtains tokens now: <see cref="ClientCredential.StatusOf"/> is the one rule.</summary>
public enum CredentialStatus
{
    Active,
    Disabled,
    Expired,
}

/// <summary>
/// What client secrets and keys share: a name, who created it and when, an expiry of at most one year, disable before
/// delete, and "last used". One table (TPH, discriminated by <see cref="Kind"/>), so ids are unique across kinds and the
/// audit log, the outbox, the reminders and "last used" address any credential by one id. A kind's words and events are
/// <see cref="CredentialKinds"/>'s.
/// </summary>
public abstract class ClientCredential
{
    public const int MaxNameLength = 100;
    public const int MaxHintLength = 64;

    public int Id { get; set; }

    public int ApplicationId { get; set; }

    public CredentialKind Kind { get; protected init; }

    public required string Name { get; set; }

    /// <summary>What identifies it to people: a secret's first characters, a key's RFC 7638 thumbprint.</summary>
    public required string Hint { get; init; }

    public DateTime CreatedAt { get; init; }

    /// <summary>Who created it: a user's email or a client_id (management API).</summary>
    public required string CreatedBy { get; init; }

    /// <summary>
    /// From this instant (UTC) the credential no longer obtains tokens. Set at creation; only a rotation moves it, and only
    /// earlier (<see cref="CredentialRotation"/>).
    /// </summary>
    public DateTime ExpiresAt { get; set; }

    /// <summary>The credential that replaced this one in a rotation (its grace period runs out at <see cref="ExpiresAt"/>), or null.</summary>
    public int? ReplacedById { get; set; }

    /// <summary>
    /// Chosen at rotation: once the replacement first obtains a token, this credential expires this many seconds later
    /// (if that is before <see cref="ExpiresAt"/>). Cleared when applied (<see cref="CredentialRotation.ApplyFirstUseAsync"/>).
    /// </summary>
    public int? RetireSecondsAfterReplacementUse { get; set; }

    public DateTime? DisabledAt { get; set; }
    public string? DisabledBy { get; set; }

    /// <summary>The last time a token was issued with this credential (flushed in batches).</summary>
    public DateTime? LastUsedAt { get; set; }

    /// <summary>
    /// From when the reminder pass looks at this credential again (UTC), or null once no reminder can follow (it has
    /// expired). The pass reads only the credentials whose instant has come, through an index, queues what is due and
    /// moves the instant on to the start of the next reminder slot (<c>ReminderSchedule.NextSlotStart</c>). A new row
    /// starts at <see cref="FirstReminderCheck"/>, the column's default; a change that can make a reminder due before
    /// that slot sets it to now (<see cref="CredentialLifecycle.RemindAgainAsync"/>).
    /// </summary>
    public DateTime? NextReminderAt { get; set; }

    /// <summary>
    /// <see cref="NextReminderAt"/> of a new credential: a past instant, so the next reminder pass looks at it and sets
    /// its first slot. A database default rather than a value each creator computes, so that every writer gets it — the
    /// previous release too while an upgrade rolls out, and the rows there were before the column, which the migration
    /// fills with it.
    /// </summary>
    public static readonly DateTime FirstReminderCheck = DateTime.UnixEpoch;

    public bool IsDisabled => DisabledAt is not null;

    public CredentialStatus StatusAt(DateTime now) => StatusOf(DisabledAt, ExpiresAt, now);

    /// <summary>
    /// The status rule, also for projections that do not load the entity; <see cref="CredentialQueries.Active{T}"/> is the
    /// same rule for database queries.
    /// </summary>
    public static CredentialStatus StatusOf(DateTime? disabledAt, DateTime expiresAt, DateTime now) =>
        disabledAt is not null ? CredentialStatus.Disabled
        : expiresAt <= now ? CredentialStatus.Expired
        : CredentialStatus.Active;

    public bool IsUsableAt(DateTime now) => StatusAt(now) == CredentialStatus.Active;

    /// <summary>"secret" or "key", for sentences.</summary>
    public string Noun => Kind.Words().Noun;

    /// <summary>How the hint is shown (see <see cref="CredentialWords.DisplayHint"/>).</summary>
    public string DisplayHint => Kind.Words().DisplayHint(Hint);
}

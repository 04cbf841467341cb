namespace CredentialPortal.Core.Email.Outbox;

public enum OutboxEmailStatus
{
    Pending = 0,
    Sent = 1,

    /// <summary>Refused for good (a 5xx, no recipients) or out of attempts; audited and counted on the dashboard.</summary>
    Failed = 2,

    /// <summary>No longer worth sending when its turn came (e.g. a reminder for a secret deleted meanwhile).</summary>
    Dropped = 3,
}

public enum OutboxEmailKind
{
    SecurityNotification = 0,
    Invitation = 1,
    PasswordReset = 2,
    ManagerRole = 3,
    Reminder = 4,
    AuthenticatorReset = 5,

    /// <summary>Not an email: a signed webhook message, delivered by <see cref="Webhooks.WebhookSender"/>.</summary>
    Webhook = 6,
}

/// <summary>
/// One email in the transactional outbox: written in the same SaveChanges as the change it reports, delivered later by
/// <see cref="OutboxPass"/>. <see cref="IdentityKey"/> is unique, so an event is queued at most once (the reminders rely
/// on this to claim each (secret, slot) exactly once), and it fixes the Message-ID of every attempt.
/// </summary>
public sealed class OutboxEmail
{
    public const int MaxIdentityKeyLength = 200;
    public const int MaxBodyLength = 32_000;
    public const int MaxRecipientsLength = 16_000;
    public const int MaxLastErrorLength = 2000;

    public long Id { get; set; }
    public OutboxEmailKind Kind { get; set; }
    public required string IdentityKey { get; set; }

    /// <summary>The recipients' addresses, one per line.</summary>
    public required string Recipients { get; set; }

    public required string Subject { get; set; }

    /// <summary>Erased once the mail server accepted the message: the outbox keeps no usable one-time link.</summary>
    public required string TextBody { get; set; }

    public required string HtmlBody { get; set; }

    public OutboxEmailStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public int Attempts { get; set; }

    /// <summary>When a pending email may next be tried (exponential back-off after a failure).</summary>
    public DateTime NextAttemptAt { get; set; }

    /// <summary>The instance sending it and until when; renewed while sending, released on shutdown, expires on a crash.</summary>
    public string? ClaimedBy { get; set; }
    public DateTime? ClaimedUntil { get; set; }

    public DateTime? SentAt { get; set; }
    public string? LastError { get; set; }

    /// <summary>What the email is about, for the audit events of its delivery (no foreign keys: the email outlives them).</summary>
    public int? OrganisationId { get; set; }
    public int? ApplicationId { get; set; }
    public int? SecretId { get; set; }

    public IReadOnlyList<string> RecipientList =>
        Recipients.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public EmailMessage ToMessage() => new(RecipientList, Subject, TextBody, HtmlBody, IdentityKey);
}

namespace CredentialPortal.Core.Reminders;

public enum ReminderDeliveryStatus
{
    Pending = 0,
    Sent = 1,
    Failed = 2,
}

/// <summary>
/// The outbox row of one reminder: unique per (secret, slot), so a slot is claimed exactly once.
/// Marked sent only after the mail server accepted the message.
/// </summary>
public sealed class ReminderDelivery
{
    public const int MaxSlotLength = 32;

    public long Id { get; set; }
    public int SecretId { get; set; }

    /// <summary>Which reminder this is, e.g. <c>42d</c>, <c>21d</c>, <c>7d</c>, <c>3d</c>, <c>expired</c>.</summary>
    public required string Slot { get; set; }

    public ReminderDeliveryStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public int Attempts { get; set; }

    /// <summary>When a pending delivery may next be tried (exponential back-off after a failure).</summary>
    public DateTime NextAttemptAt { get; set; }

    /// <summary>The instance working on it and until when; a crashed instance's claim simply expires.</summary>
    public string? ClaimedBy { get; set; }
    public DateTime? ClaimedUntil { get; set; }

    public DateTime? SentAt { get; set; }
    public string? LastError { get; set; }
}

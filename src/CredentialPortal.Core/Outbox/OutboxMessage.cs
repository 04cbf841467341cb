using CredentialPortal.Core.Email;

namespace CredentialPortal.Core.Outbox;

/// <summary>How an outbox message travels; <see cref="IOutboxChannel"/> has one sender per value.</summary>
public enum OutboxChannel
{
    Email = 0,
    Webhook = 1,
}

public enum OutboxStatus
{
    Pending = 0,
    Sent = 1,

    /// <summary>Refused for good (a 5xx, no recipients, a 4xx from a webhook receiver) or out of attempts; audited.</summary>
    Failed = 2,

    /// <summary>No longer worth sending when its turn came (e.g. a reminder for a secret deleted meanwhile).</summary>
    Dropped = 3,
}

/// <summary>
/// One message in the transactional outbox: written in the same SaveChanges as the change it reports, delivered later by
/// <see cref="OutboxPass"/> through the sender of its <see cref="Channel"/>. <see cref="IdentityKey"/> is unique, so an
/// event is queued at most once (the reminders rely on this to claim each (credential, slot) exactly once); it also fixes
/// an email's Message-ID across attempts. Each channel has its own typed target, and the other channel's columns stay
/// null: an email has <see cref="EmailKind"/>, <see cref="Recipients"/>, <see cref="Subject"/> and its two bodies; a
/// webhook has <see cref="WebhookEndpointId"/>, <see cref="WebhookMessageId"/>, <see cref="WebhookEventType"/> and
/// <see cref="WebhookPayload"/>. Build one with <see cref="ForEmail"/> or <see cref="ForWebhook"/>.
/// </summary>
public sealed class OutboxMessage
{
    public const int MaxIdentityKeyLength = 200;
    public const int MaxBodyLength = 32_000;
    public const int MaxRecipientsLength = 16_000;
    public const int MaxSubjectLength = 1000;
    public const int MaxLastErrorLength = 2000;
    public const int MaxWebhookMessageIdLength = 100;
    public const int MaxWebhookEventTypeLength = 100;

    public long Id { get; set; }
    public OutboxChannel Channel { get; set; }
    public required string IdentityKey { get; set; }

    public OutboxStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public int Attempts { get; set; }

    /// <summary>When a pending message may next be tried (exponential back-off after a failure).</summary>
    public DateTime NextAttemptAt { get; set; }

    /// <summary>The instance sending it and until when; renewed while sending, released on shutdown, expires on a crash.</summary>
    public string? ClaimedBy { get; set; }
    public DateTime? ClaimedUntil { get; set; }

    public DateTime? SentAt { get; set; }
    public string? LastError { get; set; }

    /// <summary>What the message is about, for the audit events of its delivery (no foreign keys: the message outlives them).</summary>
    public int? OrganisationId { get; set; }
    public int? ApplicationId { get; set; }
    public int? CredentialId { get; set; }

    /// <summary>Email: what the email is (reminder, invitation, …), for the delivery checks, the audit and the metrics.</summary>
    public EmailKind? EmailKind { get; set; }

    /// <summary>Email: the recipients' addresses, one per line.</summary>
    public string? Recipients { get; set; }

    public string? Subject { get; set; }

    /// <summary>Email: erased once the mail server accepted the message, so the outbox keeps no usable one-time link.</summary>
    public string? TextBody { get; set; }

    public string? HtmlBody { get; set; }

    /// <summary>
    /// Webhook: the endpoint it goes to. No foreign key: the message (and its history) outlives a deleted endpoint, and
    /// the endpoint's URL and signing secret are read at send time, so a changed URL or a rotated secret applies at once.
    /// </summary>
    public int? WebhookEndpointId { get; set; }

    /// <summary>Webhook: the <c>webhook-id</c> every attempt carries, so the receiver can recognise a repeat.</summary>
    public string? WebhookMessageId { get; set; }

    /// <summary>Webhook: the event type, e.g. <c>credential.created</c>, also in the payload.</summary>
    public string? WebhookEventType { get; set; }

    /// <summary>Webhook: the JSON body, signed at send time; kept after delivery, so that it can be sent again (<see cref="Webhooks.WebhookOutbox.AddRedelivery"/>).</summary>
    public string? WebhookPayload { get; set; }

    public IReadOnlyList<string> RecipientList =>
        (Recipients ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A pending email due at <paramref name="now"/>.</summary>
    public static OutboxMessage ForEmail(DateTime now, EmailMessage message, EmailKind kind,
        int? organisationId, int? applicationId, int? credentialId)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new OutboxMessage
        {
            Channel = OutboxChannel.Email,
            IdentityKey = message.IdentityKey,
            Status = OutboxStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
            OrganisationId = organisationId,
            ApplicationId = applicationId,
            CredentialId = credentialId,
            EmailKind = kind,
            Recipients = string.Join('\n', message.To.Select(a => a.Trim())),
            Subject = message.Subject,
            TextBody = message.TextBody,
            HtmlBody = message.HtmlBody,
        };
    }

    /// <summary>A pending webhook message for one endpoint, due at <paramref name="now"/>; <paramref name="identityKey"/> is unique per endpoint and message.</summary>
    public static OutboxMessage ForWebhook(DateTime now, string identityKey, int endpointId, string messageId, string eventType, string payload,
        int? organisationId, int? applicationId, int? credentialId) => new()
    {
        Channel = OutboxChannel.Webhook,
        IdentityKey = identityKey,
        Status = OutboxStatus.Pending,
        CreatedAt = now,
        NextAttemptAt = now,
        OrganisationId = organisationId,
        ApplicationId = applicationId,
        CredentialId = credentialId,
        WebhookEndpointId = endpointId,
        WebhookMessageId = messageId,
        WebhookEventType = eventType,
        WebhookPayload = payload,
    };

    /// <summary>The email to hand to <see cref="IEmailSender"/>.</summary>
    public EmailMessage ToEmailMessage() =>
        Channel == OutboxChannel.Email
            ? new(RecipientList, Subject ?? "", TextBody ?? "", HtmlBody ?? "", IdentityKey)
            : throw new InvalidOperationException($"Outbox message {Id} is a {Channel} message, not an email.");
}

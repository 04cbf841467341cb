using CredentialPortal.Core.Data;

namespace CredentialPortal.Core.Email.Outbox;

/// <summary>
/// Queues emails in the caller's unit of work: <see cref="Add(EmailMessage, OutboxEmailKind, int?, int?, int?)"/> only adds the row to the context, so the email is
/// committed by the same SaveChanges (and transaction) as the change that causes it, or not at all. Nothing here talks
/// to a mail server; <see cref="OutboxSender"/> delivers after the commit.
/// </summary>
public sealed class EmailOutbox(CredentialPortalDbContext db, TimeProvider time)
{
    /// <summary>The queued row; <paramref name="message"/>'s identity key must name the event uniquely.</summary>
    public OutboxEmail Add(EmailMessage message, OutboxEmailKind kind,
        int? organisationId = null, int? applicationId = null, int? secretId = null) =>
        Add(db, time.GetUtcNow().UtcDateTime, message, kind, organisationId, applicationId, secretId);

    /// <summary>Adds <paramref name="message"/> to <paramref name="db"/> as a row due at <paramref name="now"/> (webhook messages share the outbox).</summary>
    public static OutboxEmail Add(CredentialPortalDbContext db, DateTime now, EmailMessage message, OutboxEmailKind kind,
        int? organisationId, int? applicationId, int? secretId)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(message);
        var email = new OutboxEmail
        {
            Kind = kind,
            IdentityKey = message.IdentityKey,
            Recipients = string.Join('\n', message.To.Select(a => a.Trim())),
            Subject = message.Subject,
            TextBody = message.TextBody,
            HtmlBody = message.HtmlBody,
            Status = OutboxEmailStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
            OrganisationId = organisationId,
            ApplicationId = applicationId,
            SecretId = secretId,
        };
        db.OutboxEmails.Add(email);
        return email;
    }
}

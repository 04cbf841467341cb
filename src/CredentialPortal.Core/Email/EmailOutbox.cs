using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;

namespace CredentialPortal.Core.Email;

/// <summary>
/// Queues emails in the caller's unit of work: <see cref="Add"/> only adds the row to the context, so the email is
/// committed by the same SaveChanges (and transaction) as the change that causes it, or not at all. Nothing here talks
/// to a mail server; <see cref="OutboxSender"/> delivers after the commit, through <see cref="EmailChannel"/>.
/// </summary>
public sealed class EmailOutbox(CredentialPortalDbContext db, TimeProvider time)
{
    /// <summary>The queued row; <paramref name="message"/>'s identity key must name the event uniquely.</summary>
    public OutboxMessage Add(EmailMessage message, EmailKind kind,
        int? organisationId = null, int? applicationId = null, int? credentialId = null)
    {
        var row = OutboxMessage.ForEmail(time.GetUtcNow().UtcDateTime, message, kind, organisationId, applicationId, credentialId);
        db.OutboxMessages.Add(row);
        return row;
    }
}

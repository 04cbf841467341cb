using System.Globalization;
using System.Net;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// The security email that tells an application's credential managers a secret or key was created, disabled, enabled
/// or deleted, queued in the email outbox (and audited as queued) in the caller's unit of work, so it is neither lost
/// nor sent for a change that did not commit. Delivery (and its audit) is the outbox sender's.
/// </summary>
public sealed class CredentialNotification(CredentialPortalDbContext db, AuditLog audit, EmailOutbox outbox, IPortalLinks portal)
{
    public async Task QueueAsync(Application application, ClientCredential credential, CredentialChangeType change, AuditActor actor,
        DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(actor);
        var recipients = await db.CredentialManagers
            .Where(m => m.ApplicationId == application.Id && !m.User.IsDisabled && m.User.Email != null)
            .Select(m => m.User.Email!)
            .ToListAsync(cancellationToken);
        if (recipients.Count == 0)
        {
            return;
        }

        var words = credential.Kind.Words();
        var (kind, label, verb) = (words.Noun, words.Label, words.PastTense(change));
        var when = PortalText.Time(now);
        var by = (await ActorNames.OfClientsAsync(db, [actor.Name], cancellationToken)).Display(actor.Name);
        var name = EmailText.Name(credential.Name);
        var link = portal.CredentialsPage;
        var subject = $"Client {kind} {verb} – {application.Name}";
        var text = $"""
            A client {kind} of {application.Name} was {verb}.

            Application: {application.Name}
            Client ID:   {application.ClientId}
            {label + ":",-12} "{name}" ({credential.DisplayHint})
            By:          {by}
            When:        {when}

            If you did not expect this change, review the application's credentials and history now:
            {link}

            You receive this message because you are a credential manager of this application.
            """;
        string Html(string value) => WebUtility.HtmlEncode(value);
        var html = $"""
            <p>A client {kind} of <strong>{Html(application.Name)}</strong> was <strong>{verb}</strong>.</p>
            <table>
            <tr><th align="left" style="white-space:nowrap">Application</th><td>{Html(application.Name)}</td></tr>
            <tr><th align="left" style="white-space:nowrap">Client ID</th><td><code>{Html(application.ClientId)}</code></td></tr>
            <tr><th align="left" style="white-space:nowrap">{label}</th><td>&ldquo;{Html(name)}&rdquo; (<code>{Html(credential.DisplayHint)}</code>)</td></tr>
            <tr><th align="left" style="white-space:nowrap">By</th><td>{Html(by)}</td></tr>
            <tr><th align="left" style="white-space:nowrap">When</th><td>{when}</td></tr>
            </table>
            <p>If you did not expect this change, <a href="{Html(link)}">review the application's credentials and history</a> now.</p>
            <p style="color:#5b6675">You receive this message because you are a credential manager of this application.</p>
            """;
        // A new key per change: every attempt to deliver this notification carries the same Message-ID.
        var identityKey = string.Create(CultureInfo.InvariantCulture, $"security-notification/{Guid.NewGuid():N}");
        outbox.Add(new EmailMessage(recipients, subject, text, html, identityKey), EmailKind.SecurityNotification,
            application.OrganisationId, application.Id, credential.Id);
        audit.Add(AuditEventTypes.NotificationQueued, actor,
            $"\"{subject}\" for {PortalText.Count(recipients.Count, "credential manager")}",
            organisationId: application.OrganisationId, applicationId: application.Id, credentialId: credential.Id);
    }
}

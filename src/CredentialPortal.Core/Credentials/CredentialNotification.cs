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
/// or deleted, or that a secret was found in public (then its notification addresses too, with where and what to do), queued in the email outbox (and audited as queued) in the caller's unit of work, so it is neither lost
/// nor sent for a change that did not commit. Delivery (and its audit) is the outbox sender's.
/// </summary>
public sealed class CredentialNotification(CredentialPortalDbContext db, AuditLog audit, EmailOutbox outbox, IPortalLinks portal)
{
    /// <summary>Queues the email of <paramref name="change"/>; a rotation's names its <paramref name="replacement"/> too.</summary>
    public async Task QueueAsync(Application application, ClientCredential credential, CredentialChangeType change, AuditActor actor,
        DateTime now, ClientCredential? replacement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(actor);
        var recipients = await db.CredentialManagers
            .Where(m => m.ApplicationId == application.Id && !m.User.IsDisabled && m.User.Email != null)
            .Select(m => m.User.Email!)
            .ToListAsync(cancellationToken);
        if (change == CredentialChangeType.Leaked)
        {
            // A leak needs someone to act even where no manager is left: the addresses that get reminders hear of it too.
            recipients = [.. recipients.Concat(application.NotificationEmails).Distinct(StringComparer.OrdinalIgnoreCase)];
        }

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
        var (text, html) = credential is ClientSecret { IsLeaked: true } leaked && change == CredentialChangeType.Leaked
            ? LeakText(application, leaked, when, by, link)
            : ChangeText(application, credential, kind, label, verb, when, by, name, link, replacement);
        // A new key per change: every attempt to deliver this notification carries the same Message-ID.
        var identityKey = string.Create(CultureInfo.InvariantCulture, $"security-notification/{Guid.NewGuid():N}");
        outbox.Add(new EmailMessage(recipients, subject, text, html, identityKey), EmailKind.SecurityNotification,
            application.OrganisationId, application.Id, credential.Id);
        audit.Add(AuditEventTypes.NotificationQueued, actor,
            $"\"{subject}\" for {PortalText.Count(recipients.Count, change == CredentialChangeType.Leaked ? "recipient" : "credential manager")}",
            organisationId: application.OrganisationId, applicationId: application.Id, credentialId: credential.Id);
    }

    private static (string Text, string Html) ChangeText(Application application, ClientCredential credential, string kind, string label,
        string verb, string when, string by, string name, string link, ClientCredential? replacement)
    {
        // A rotation names the new credential and when the old one stops: the end of its grace period.
        var rotation = replacement is null ? "" : $"""
            Replaced by: "{EmailText.Name(replacement.Name)}" ({replacement.DisplayHint})
            Old one expires: {PortalText.Time(credential.ExpiresAt)}{(credential.RetireSecondsAfterReplacementUse is { } seconds
                ? $", or {CredentialRotation.Describe(TimeSpan.FromSeconds(seconds))} after the new one is first used if sooner" : "")}

            """;
        var text = $"""
            A client {kind} of {application.Name} was {verb}.

            Application: {application.Name}
            Client ID:   {application.ClientId}
            {label + ":",-12} "{name}" ({credential.DisplayHint})
            {rotation}By:          {by}
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
            {(replacement is null ? "" : $"<tr><th align=\"left\" style=\"white-space:nowrap\">Replaced by</th><td>&ldquo;{Html(EmailText.Name(replacement.Name))}&rdquo; (<code>{Html(replacement.DisplayHint)}</code>)</td></tr><tr><th align=\"left\" style=\"white-space:nowrap\">Old one expires</th><td>{Html(PortalText.Time(credential.ExpiresAt))}</td></tr>")}
            <tr><th align="left" style="white-space:nowrap">By</th><td>{Html(by)}</td></tr>
            <tr><th align="left" style="white-space:nowrap">When</th><td>{when}</td></tr>
            </table>
            <p>If you did not expect this change, <a href="{Html(link)}">review the application's credentials and history</a> now.</p>
            <p style="color:#5b6675">You receive this message because you are a credential manager of this application.</p>
            """;
        return (text, html);
    }

    /// <summary>Where the secret was found, what became of it, and the rotation that makes the leak harmless.</summary>
    private static (string Text, string Html) LeakText(Application application, ClientSecret secret, string when, string by, string link)
    {
        var name = EmailText.Name(secret.Name);
        var where = secret.LeakLocation ?? "";
        var state = secret.IsDisabled
            ? "It was disabled at once: it no longer obtains tokens, and every system that still uses it is refused from now on."
            : "It was NOT disabled (this portal is set to notify only): anyone who has read it can obtain tokens as this application until you disable it.";
        var text = $"""
            A client secret of {application.Name} was found in public.

            Application: {application.Name}
            Client ID:   {application.ClientId}
            Secret:      "{name}" ({secret.DisplayHint})
            Found at:    {where}
            Reported by: {by}
            When:        {when}

            {state}

            What to do now:
            1. Create a new secret for the application in the portal and update your system to use it.
            2. Remove the secret from where it was found (and from the history of that repository, ticket or log).
            3. Delete the leaked secret once nothing uses it, and check the application's history for use you do not recognise.

            {link}

            You receive this message because you are a credential manager of this application or one of its notification addresses.
            """;
        string Html(string value) => WebUtility.HtmlEncode(value);
        var html = $"""
            <p>A client secret of <strong>{Html(application.Name)}</strong> was <strong>found in public</strong>.</p>
            <table>
            <tr><th align="left" style="white-space:nowrap">Application</th><td>{Html(application.Name)}</td></tr>
            <tr><th align="left" style="white-space:nowrap">Client ID</th><td><code>{Html(application.ClientId)}</code></td></tr>
            <tr><th align="left" style="white-space:nowrap">Secret</th><td>&ldquo;{Html(name)}&rdquo; (<code>{Html(secret.DisplayHint)}</code>)</td></tr>
            <tr><th align="left" style="white-space:nowrap">Found at</th><td>{Html(where)}</td></tr>
            <tr><th align="left" style="white-space:nowrap">Reported by</th><td>{Html(by)}</td></tr>
            <tr><th align="left" style="white-space:nowrap">When</th><td>{when}</td></tr>
            </table>
            <p><strong>{Html(state)}</strong></p>
            <ol>
            <li>Create a new secret for the application in the portal and update your system to use it.</li>
            <li>Remove the secret from where it was found (and from the history of that repository, ticket or log).</li>
            <li>Delete the leaked secret once nothing uses it, and check the application's history for use you do not recognise.</li>
            </ol>
            <p><a href="{Html(link)}">Open the application's credentials</a></p>
            <p style="color:#5b6675">You receive this message because you are a credential manager of this application or one of its notification addresses.</p>
            """;
        return (text, html);
    }
}

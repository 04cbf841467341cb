using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Webhooks;

/// <summary>
/// An application's endpoint belongs to the application, not to whoever registered it: it keeps receiving events after
/// that person stops managing the application. Those who remain are told which endpoints it is, so that they can review
/// or delete them. Queued and audited in the caller's unit of work, with the change that takes the role away.
/// </summary>
public sealed class WebhookRegistrarNotice(CredentialPortalDbContext db, AuditLog audit, EmailOutbox outbox, IPortalLinks links,
    IOptions<PortalOptions> portal)
{
    /// <summary>
    /// <paramref name="user"/> no longer manages <paramref name="applicationIds"/>: for each of them with enabled
    /// endpoints the user registered, emails its other credential managers (else the administrators).
    /// </summary>
    public async Task QueueAsync(PortalUser user, IReadOnlyCollection<int> applicationIds, AuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(applicationIds);
        ArgumentNullException.ThrowIfNull(actor);
        if (user.Email is not { } email || applicationIds.Count == 0)
        {
            return;
        }

        // CreatedBy is the registering user's email, as their session named them.
        var endpoints = await db.WebhookEndpoints.AsNoTracking()
            .Where(e => e.ApplicationId != null && applicationIds.Contains(e.ApplicationId.Value) && e.DisabledAt == null && e.CreatedBy == email)
            .OrderBy(e => e.Id)
            .Select(e => new { e.Id, e.Url, e.CreatedAt, e.Application!.OrganisationId, ApplicationId = e.Application.Id, e.Application.Name })
            .ToListAsync(cancellationToken);
        foreach (var application in endpoints.GroupBy(e => (e.ApplicationId, e.OrganisationId, e.Name)))
        {
            var (applicationId, organisationId, name) = application.Key;
            var recipients = await AdministratorAddresses.ManagersElseAdministratorsAsync(db, applicationId, user.Id, portal.Value, cancellationToken);
            var listed = application.Select(e => (Host: new Uri(e.Url).Host, When: PortalText.Time(e.CreatedAt),
                Link: links.WebhookEndpointPage(e.Id))).ToList();
            var subject = $"Webhook endpoints registered by {email} – {name}";
            var text = $"""
                {email} no longer manages {name}. The webhook endpoints of {name} they registered keep receiving its events:

                {string.Join("\n", listed.Select(e => $"- {e.Host}, registered by {email} on {e.When}: {e.Link}"))}

                Each endpoint belongs to the application, not to the person who registered it. Review it, and delete it if its
                receiver should no longer hear about {name}.

                You receive this message as a credential manager of this application (as an administrator when it has none).
                """;
            string Html(string value) => WebUtility.HtmlEncode(value);
            var html = $"""
                <p>{Html(email)} no longer manages <strong>{Html(name)}</strong>. The webhook endpoints of {Html(name)} they registered keep receiving its events:</p>
                <ul>
                {string.Concat(listed.Select(e => $"<li><code>{Html(e.Host)}</code>, registered by {Html(email)} on {e.When}: <a href=\"{Html(e.Link)}\">review or delete it</a></li>"))}
                </ul>
                <p>Each endpoint belongs to the application, not to the person who registered it. Review it, and delete it if its receiver should no longer hear about {Html(name)}.</p>
                <p style="color:#5b6675">You receive this message as a credential manager of this application (as an administrator when it has none).</p>
                """;
            outbox.Add(new EmailMessage(recipients, subject, text, html, $"webhook-registrar-left/{Guid.NewGuid():N}"),
                EmailKind.SecurityNotification, organisationId, applicationId);
            audit.Add(AuditEventTypes.NotificationQueued, actor,
                $"\"{subject}\" for {PortalText.Count(recipients.Count, "recipient")}: the endpoints to {string.Join(", ", listed.Select(e => e.Host))} keep receiving events",
                organisationId: organisationId, applicationId: applicationId);
        }
    }
}

using System.Globalization;
using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Webhooks;

/// <summary>
/// An organisation's endpoint hears about every credential of every application of the organisation, wherever its
/// address leads: each enabled user of the organisation is told that it exists, where it sends, who registered it, and
/// where to see it, so that an endpoint nobody there asked for does not go unnoticed. Queued and audited in the
/// caller's unit of work, with the registration.
/// </summary>
public sealed class WebhookOrganisationNotice(CredentialPortalDbContext db, AuditLog audit, EmailOutbox outbox, IPortalLinks links)
{
    public async Task QueueAsync(WebhookEndpoint endpoint, string organisationName, AuditActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(organisationName);
        ArgumentNullException.ThrowIfNull(actor);
        var organisationId = endpoint.OrganisationId ?? throw new ArgumentException("Not an organisation's endpoint.", nameof(endpoint));
        var recipients = await db.Users
            .Where(u => u.OrganisationId == organisationId && !u.IsDisabled && u.Email != null)
            .OrderBy(u => u.Email)
            .Select(u => u.Email!)
            .ToListAsync(cancellationToken);
        if (recipients.Count == 0)
        {
            return;
        }

        var address = endpoint.DisplayUrl;
        var events = WebhookEndpointManagement.EventTypesText(endpoint.EventTypes);
        var when = endpoint.CreatedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var link = links.WebhookEndpointPage(endpoint.Id);
        var subject = $"New webhook endpoint for {organisationName}";
        var text = $"""
            A webhook endpoint now receives notifications about the credentials of every application of {organisationName}
            (secrets and keys created, disabled, deleted, about to expire).

            Address:       {address}
            Events:        {events}
            Registered by: {actor.Name}
            When:          {when}

            See it (credential managers of {organisationName} can; administrators manage it):
            {link}

            If you did not expect this, tell your administrators: whoever receives these messages learns when your
            credentials change.

            You receive this message because you are a user of {organisationName}.
            """;
        string Html(string value) => WebUtility.HtmlEncode(value);
        var html = $"""
            <p>A webhook endpoint now receives notifications about the credentials of every application of <strong>{Html(organisationName)}</strong> (secrets and keys created, disabled, deleted, about to expire).</p>
            <table>
            <tr><th align="left">Address</th><td><code>{Html(address)}</code></td></tr>
            <tr><th align="left">Events</th><td>{Html(events)}</td></tr>
            <tr><th align="left">Registered by</th><td>{Html(actor.Name)}</td></tr>
            <tr><th align="left">When</th><td>{when}</td></tr>
            </table>
            <p><a href="{Html(link)}">See the endpoint</a> (credential managers of {Html(organisationName)} can; administrators manage it).</p>
            <p>If you did not expect this, tell your administrators: whoever receives these messages learns when your credentials change.</p>
            <p style="color:#5b6675">You receive this message because you are a user of {Html(organisationName)}.</p>
            """;
        outbox.Add(new EmailMessage(recipients, subject, text, html, $"webhook-organisation-endpoint/{Guid.NewGuid():N}"),
            EmailKind.SecurityNotification, organisationId);
        audit.Add(AuditEventTypes.NotificationQueued, actor,
            $"\"{subject}\" for {PortalText.Count(recipients.Count, "user")} of the organisation: an endpoint to {new Uri(endpoint.Url).Host}",
            organisationId: organisationId);
    }
}

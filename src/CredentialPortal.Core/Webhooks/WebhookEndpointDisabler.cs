using System.Globalization;
using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Webhooks;

/// <summary>
/// Switches off an endpoint that keeps failing (or answered 410 Gone), audits it and emails those who manage it now:
/// for an application's endpoint its credential managers (else the administrators), for an organisation's the
/// administrators. Not whoever registered it as such: they may no longer manage it. The caller saves.
/// </summary>
public sealed class WebhookEndpointDisabler(IOptions<WebhookOptions> options, IOptions<PortalOptions> portal, IPortalLinks address,
    TimeProvider time)
{
    public async Task DisableIfDueAsync(CredentialPortalDbContext db, WebhookEndpoint endpoint, bool gone, string lastError,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.IsDisabled || (!gone && endpoint.ConsecutiveFailures < options.Value.DisableAfterFailures))
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        endpoint.DisabledAt = now;
        endpoint.DisabledReason = gone
            ? "The receiver answered 410 Gone."
            : string.Create(CultureInfo.InvariantCulture, $"{endpoint.ConsecutiveFailures} messages in a row were not delivered (last: {lastError}).");
        var owner = endpoint.ApplicationId is { } applicationId
            ? await db.Applications.Where(a => a.Id == applicationId).Select(a => new { a.OrganisationId, a.Name }).SingleAsync(cancellationToken)
            : await db.Organisations.Where(o => o.Id == endpoint.OrganisationId).Select(o => new { OrganisationId = o.Id, o.Name }).SingleAsync(cancellationToken);
        var host = new Uri(endpoint.Url).Host;
        new AuditLog(db, time).Add(AuditEventTypes.WebhookDisabled, AuditActor.System,
            $"webhook endpoint to {host} of {owner.Name} disabled: {endpoint.DisabledReason}", owner.OrganisationId, endpoint.ApplicationId);

        var recipients = endpoint.ApplicationId is { } id
            ? await AdministratorAddresses.ManagersElseAdministratorsAsync(db, id, except: null, portal.Value, cancellationToken)
            : await AdministratorAddresses.ForAsync(db, portal.Value, cancellationToken);
        var link = address.WebhookEndpointPage(endpoint.Id);
        var subject = $"Webhook endpoint disabled – {owner.Name}";
        var text = $"""
            The webhook endpoint of {owner.Name} that sends to {host} was disabled and receives no more messages.

            Why: {endpoint.DisabledReason}

            See its delivery log, fix the receiver and enable the endpoint again:
            {link}
            """;
        string Html(string value) => WebUtility.HtmlEncode(value);
        var html = $"""
            <p>The webhook endpoint of <strong>{Html(owner.Name)}</strong> that sends to <code>{Html(host)}</code> was disabled and receives no more messages.</p>
            <p>Why: {Html(endpoint.DisabledReason)}</p>
            <p><a href="{Html(link)}">See its delivery log</a>, fix the receiver and enable the endpoint again.</p>
            """;
        new EmailOutbox(db, time).Add(
            new EmailMessage(recipients, subject, text, html, string.Create(CultureInfo.InvariantCulture, $"webhook-disabled/{endpoint.Id}/{now.Ticks}")),
            EmailKind.SecurityNotification, owner.OrganisationId, endpoint.ApplicationId);
    }
}

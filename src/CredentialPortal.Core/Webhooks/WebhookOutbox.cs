using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Email.Outbox;
using CredentialPortal.Core.Credentials;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Webhooks;

/// <summary>
/// Queues webhook messages in the caller's unit of work, as rows of the email outbox (kind
/// <see cref="OutboxEmailKind.Webhook"/>): they commit with the change they report or not at all, and the outbox
/// sender delivers them (leases, retries with back-off, failures audited) through <see cref="WebhookSender"/>. The
/// identity key <c>webhook/{endpoint}/{webhook-id}</c> is unique, so a message is queued once per endpoint and every
/// attempt carries the same <c>webhook-id</c>. Every producer calls it explicitly next to the change it reports
/// (<c>CredentialLifecycle.CommitAsync</c>, the reminder pass, an application's deactivation, the test event).
/// </summary>
public static class WebhookOutbox
{
    private const string KeyPrefix = "webhook/";

    /// <summary>
    /// One message per enabled endpoint that hears about <paramref name="application"/> (its own endpoints and its
    /// organisation's). <paramref name="messageId"/>: a stable id for an event that may be queued twice (a reminder
    /// slot), otherwise a new one. Returns how many were queued.
    /// </summary>
    public static async Task<int> QueueAsync(CredentialPortalDbContext db, DateTime now, string eventType, Application application,
        ClientCredential? credential, int? daysBeforeExpiry = null, string? messageId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(application);
        var endpoints = await db.WebhookEndpoints.AsNoTracking()
            .Where(e => e.DisabledAt == null && (e.ApplicationId == application.Id || e.OrganisationId == application.OrganisationId))
            .Select(e => e.Id)
            .ToListAsync(cancellationToken);
        messageId ??= NewMessageId();
        var body = WebhookPayload.Compose(eventType, messageId, now, application, credential, daysBeforeExpiry);
        foreach (var endpoint in endpoints)
        {
            Add(db, now, endpoint, eventType, messageId, body, application.OrganisationId, application.Id, credential?.Id);
        }

        return endpoints.Count;
    }

    /// <summary>Queues one message for one endpoint (the test event).</summary>
    public static OutboxEmail Add(CredentialPortalDbContext db, DateTime now, int endpointId, string eventType, string messageId, string body,
        int? organisationId, int? applicationId, int? secretId)
    {
        // The recipient is not an address: the outbox needs one, and the endpoint's URL (which may hold a token) is read at send time.
        var message = new EmailMessage([string.Create(CultureInfo.InvariantCulture, $"webhook endpoint {endpointId}")], eventType, body, "",
            string.Create(CultureInfo.InvariantCulture, $"{KeyPrefix}{endpointId}/{messageId}"));
        return EmailOutbox.Add(db, now, message, OutboxEmailKind.Webhook, organisationId, applicationId, secretId);
    }

    public static string NewMessageId() => "msg_" + Guid.NewGuid().ToString("N");

    /// <summary>The stable id of a reminder slot's message: queued again by a racing instance, it collides and is not sent twice.</summary>
    public static string ExpiryMessageId(int secretId, string slot) =>
        string.Create(CultureInfo.InvariantCulture, $"msg_expiry_{secretId}_{slot}");

    public static bool TryParseIdentityKey(string identityKey, out int endpointId, [NotNullWhen(true)] out string? messageId)
    {
        ArgumentNullException.ThrowIfNull(identityKey);
        endpointId = 0;
        messageId = null;
        if (!identityKey.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = identityKey.AsSpan(KeyPrefix.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0 || !int.TryParse(rest[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out endpointId))
        {
            return false;
        }

        messageId = rest[(slash + 1)..].ToString();
        return messageId.Length > 0;
    }
}

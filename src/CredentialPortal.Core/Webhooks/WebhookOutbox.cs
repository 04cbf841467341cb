using System.Globalization;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Outbox;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Webhooks;

/// <summary>
/// Queues webhook messages in the caller's unit of work, as outbox messages of channel
/// <see cref="OutboxChannel.Webhook"/>: they commit with the change they report or not at all, and the outbox sender
/// delivers them (leases, retries with back-off, failures audited) through <see cref="WebhookSender"/>. The identity
/// key <c>webhook/{endpoint}/{webhook-id}</c> is unique, so a message is queued once per endpoint; the endpoint and the
/// <c>webhook-id</c> every attempt carries are columns of their own. Every producer calls it explicitly next to the
/// change it reports (<c>CredentialLifecycle.CommitAsync</c>, the reminder pass, an application's deactivation, the
/// test event).
/// </summary>
public static class WebhookOutbox
{
    /// <summary>
    /// One message per enabled endpoint that hears about <paramref name="application"/> (its own endpoints and its
    /// organisation's) and chose <paramref name="eventType"/>. <paramref name="messageId"/>: a stable id for an event that may be queued twice (a reminder
    /// slot), otherwise a new one. Returns how many were queued.
    /// </summary>
    public static async Task<int> QueueAsync(CredentialPortalDbContext db, DateTime now, string eventType, Application application,
        ClientCredential? credential, int? daysBeforeExpiry = null, string? messageId = null, ClientCredential? replacement = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(application);
        // The choice is read here rather than filtered in SQL: it is a short list, and one rule (WebhookEventTypes.Includes) decides it.
        var endpoints = (await db.WebhookEndpoints.AsNoTracking()
            .Where(e => e.DisabledAt == null && (e.ApplicationId == application.Id || e.OrganisationId == application.OrganisationId))
            .Select(e => new { e.Id, e.EventTypes })
            .ToListAsync(cancellationToken))
            .Where(e => WebhookEventTypes.Includes(e.EventTypes, eventType))
            .Select(e => e.Id)
            .ToList();
        messageId ??= NewMessageId();
        var body = WebhookPayload.Compose(eventType, messageId, now, application, credential, daysBeforeExpiry, replacement);
        foreach (var endpoint in endpoints)
        {
            Add(db, now, endpoint, eventType, messageId, body, application.OrganisationId, application.Id, credential?.Id);
        }

        return endpoints.Count;
    }

    /// <summary>Queues one message for one endpoint (the test event).</summary>
    public static OutboxMessage Add(CredentialPortalDbContext db, DateTime now, int endpointId, string eventType, string messageId, string body,
        int? organisationId, int? applicationId, int? credentialId)
    {
        ArgumentNullException.ThrowIfNull(db);
        // The key only enforces "once per endpoint and message"; the sender reads the endpoint and id from their columns.
        var identityKey = string.Create(CultureInfo.InvariantCulture, $"webhook/{endpointId}/{messageId}");
        var message = OutboxMessage.ForWebhook(now, identityKey, endpointId, messageId, eventType, body, organisationId, applicationId, credentialId);
        db.OutboxMessages.Add(message);
        return message;
    }

    /// <summary>
    /// Queues <paramref name="original"/> once more, asked for by a person: the same endpoint, <c>webhook-id</c> and body
    /// (the receiver recognises the repeat), as a row of its own, so the first delivery's history stays as it was.
    /// </summary>
    public static OutboxMessage AddRedelivery(CredentialPortalDbContext db, DateTime now, OutboxMessage original)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(original);
        if (original is not { WebhookEndpointId: { } endpointId, WebhookMessageId: { } messageId, WebhookEventType: { } eventType, WebhookPayload: { Length: > 0 } body })
        {
            throw new ArgumentException("Only a webhook message with its payload can be sent again.", nameof(original));
        }

        var identityKey = string.Create(CultureInfo.InvariantCulture, $"webhook/{endpointId}/{messageId}/again/{Guid.NewGuid():N}");
        var message = OutboxMessage.ForWebhook(now, identityKey, endpointId, messageId, eventType, body,
            original.OrganisationId, original.ApplicationId, original.CredentialId);
        db.OutboxMessages.Add(message);
        return message;
    }

    public static string NewMessageId() => "msg_" + Guid.NewGuid().ToString("N");

    /// <summary>The stable id of a reminder slot's message: queued again by a racing instance, it collides and is not sent twice.</summary>
    public static string ExpiryMessageId(int credentialId, string slot) =>
        string.Create(CultureInfo.InvariantCulture, $"msg_expiry_{credentialId}_{slot}");
}

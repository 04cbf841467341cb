using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Webhooks;

/// <summary>
/// Drops a queued webhook message unsent when its endpoint was disabled or deleted meanwhile: after a 410 Gone the
/// rest of the queue costs the receiver nothing (no retry storm).
/// </summary>
public sealed class WebhookEndpointStillEnabled : IOutboxDeliveryCheck
{
    public async Task<string?> ReasonToDropAsync(CredentialPortalDbContext db, OutboxMessage message, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(message);
        if (message is not { Channel: OutboxChannel.Webhook, WebhookEndpointId: { } endpointId })
        {
            return null;
        }

        return await db.WebhookEndpoints.AnyAsync(e => e.Id == endpointId && e.DisabledAt == null, cancellationToken)
            ? null
            : "The webhook endpoint is disabled or deleted.";
    }
}

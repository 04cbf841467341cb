using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email.Outbox;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Reminders;

/// <summary>
/// The outbox's last look at a reminder before it goes out (it may have waited in back-off): a reminder whose secret
/// or key was deleted, disabled or replaced, or whose slot was superseded by a later one, is dropped unsent.
/// </summary>
public sealed class ReminderStillDue : IOutboxDeliveryCheck
{
    public async Task<string?> ReasonToDropAsync(CredentialPortalDbContext db, OutboxEmail email, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(email);
        if (email.Kind != OutboxEmailKind.Reminder)
        {
            return null;
        }

        if (!ReminderEmail.TryParseIdentityKey(email.IdentityKey, out var secretId, out var slot))
        {
            return "not a reminder key";
        }

        var secret = await db.ClientCredentials.SingleOrDefaultAsync(s => s.Id == secretId, cancellationToken);
        if (secret is null)
        {
            return "the secret or key was deleted";
        }

        var applicationActive = await db.Applications.AnyAsync(a => a.Id == secret.ApplicationId && a.IsActive, cancellationToken);
        var otherLatestExpiry = await db.ClientCredentials
            .Where(o => o.ApplicationId == secret.ApplicationId && o.Id != secret.Id && o.DisabledAt == null)
            .MaxAsync(o => (DateTime?)o.ExpiresAt, cancellationToken);
        var due = secret.IsDisabled || !applicationActive ? null
            : ReminderSchedule.DueSlot(secret.ExpiresAt, now, replaced: otherLatestExpiry > secret.ExpiresAt);
        return due == slot ? null : "no longer due (disabled, replaced or superseded by a later reminder)";
    }
}

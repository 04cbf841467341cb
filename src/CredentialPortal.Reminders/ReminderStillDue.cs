using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Outbox;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Reminders;

/// <summary>
/// The outbox's last look at a reminder before it goes out (it may have waited in back-off): a reminder whose secret
/// or key was deleted, disabled or replaced, or whose slot was superseded by a later one, is dropped unsent.
/// </summary>
public sealed class ReminderStillDue : IOutboxDeliveryCheck
{
    public async Task<string?> ReasonToDropAsync(CredentialPortalDbContext db, OutboxMessage message, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(message);
        if (message.EmailKind != EmailKind.Reminder)
        {
            return null;
        }

        if (!ReminderEmail.TryParseIdentityKey(message.IdentityKey, out var credentialId, out var slot))
        {
            return "not a reminder key";
        }

        if (!await db.ClientCredentials.AnyAsync(c => c.Id == credentialId, cancellationToken))
        {
            return "the secret or key was deleted";
        }

        // The pass's own question, asked again: not disabled, of an active application, and whether it was replaced.
        var candidate = await CredentialQueries.ReminderCandidates(db, db.ClientCredentials.Where(c => c.Id == credentialId))
            .SingleOrDefaultAsync(cancellationToken);
        var due = candidate is null ? null : ReminderSchedule.DueSlot(candidate.ExpiresAt, now, candidate.Replaced);
        return due == slot ? null : "no longer due (disabled, replaced or superseded by a later reminder)";
    }
}

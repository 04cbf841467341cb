using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// When and by whom a credential was deleted, as the audit log recorded it: deleting removes the row, so a page opened
/// before the deletion (a second tab, the back button) can still say what became of it. <see cref="Described"/> is the
/// audit event's detail ("secret 'Rotating' (abc…)").
/// </summary>
public sealed record CredentialDeletion(DateTime DeletedAt, string DeletedBy, string? Described)
{
    /// <summary>
    /// The deletion of the <paramref name="kind"/> with id <paramref name="credentialId"/> of application
    /// <paramref name="applicationId"/>, or null when the audit log holds none (an id that never was that application's).
    /// </summary>
    public static Task<CredentialDeletion?> FindAsync(CredentialPortalDbContext db, int applicationId, CredentialKind kind, int credentialId,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var deleted = kind.Words().Events.Deleted;
        return db.AuditEvents.AsNoTracking()
            .Where(e => e.ApplicationId == applicationId && e.CredentialId == credentialId && e.EventType == deleted)
            .OrderByDescending(e => e.Id)
            .Select(e => new CredentialDeletion(e.OccurredAt, e.Actor, e.Details))
            .FirstOrDefaultAsync(cancellationToken);
    }
}

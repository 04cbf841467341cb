using CredentialPortal.Core.Data;

namespace CredentialPortal.Core.Applications;

/// <summary>
/// How every writer tells the token-service instances that an application's credentials changed. Call it in the same
/// unit of work (before <c>SaveChanges</c>) as the change: creating, disabling, enabling or deleting a secret; creating
/// an application; changing its active flag or permissions; and, for an organisation's active flag, once per
/// application of that organisation.
/// </summary>
public static class CredentialChangeLog
{
    public static CredentialChange Record(this CredentialPortalDbContext db, int applicationId, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(db);
        var change = new CredentialChange { ApplicationId = applicationId, ChangedAt = now };
        db.CredentialChanges.Add(change);
        return change;
    }
}

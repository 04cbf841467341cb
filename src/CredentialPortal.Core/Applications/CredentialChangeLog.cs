using CredentialPortal.Core.Data;

namespace CredentialPortal.Core.Applications;

public static class CredentialChangeLog
{
    /// <summary>
    /// Records that the application's usable credentials changed, in the caller's unit of work, so that every
    /// token-service instance drops its cached view of the application within its polling interval.
    /// </summary>
    public static void RecordCredentialChange(this CredentialPortalDbContext db, int applicationId, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.CredentialChanges.Add(new CredentialChange { ApplicationId = applicationId, ChangedAt = now });
    }
}

using CredentialPortal.Core.Data;

namespace CredentialPortal.Core.Users;

/// <summary>Where news about an application goes first: its credential managers' addresses (enabled users only).</summary>
public static class ManagerAddresses
{
    public static IQueryable<string> Of(CredentialPortalDbContext db, int applicationId)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.CredentialManagers
            .Where(m => m.ApplicationId == applicationId && !m.User.IsDisabled && m.User.Email != null)
            .Select(m => m.User.Email!);
    }
}

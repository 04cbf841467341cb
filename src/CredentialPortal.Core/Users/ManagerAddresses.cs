using CredentialPortal.Core.Data;

namespace CredentialPortal.Core.Users;

/// <summary>Where news about an application goes first: its credential managers' addresses (enabled users only).</summary>
public static class ManagerAddresses
{
    /// <summary>The managers' addresses; <paramref name="except"/>: a user losing the role in this unit of work.</summary>
    public static IQueryable<string> Of(CredentialPortalDbContext db, int applicationId, Guid? except = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.CredentialManagers
            .Where(m => m.ApplicationId == applicationId && m.UserId != except && !m.User.IsDisabled && m.User.Email != null)
            .Select(m => m.User.Email!);
    }
}

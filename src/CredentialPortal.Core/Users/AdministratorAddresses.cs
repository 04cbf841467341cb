using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Users;

/// <summary>Where news goes that no credential manager is there to hear: the portal's administrators.</summary>
public static class AdministratorAddresses
{
    /// <summary>
    /// <c>Portal:AdministratorsEmail</c> when set, else the enabled administrators' own addresses. Empty only when
    /// there is nobody at all, which the outbox then records as a permanent failure.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ForAsync(CredentialPortalDbContext db, PortalOptions portal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(portal);
        if (!string.IsNullOrWhiteSpace(portal.AdministratorsEmail))
        {
            return [portal.AdministratorsEmail.Trim()];
        }

        return await db.UserRoles
            .Where(ur => db.Roles.Any(r => r.Id == ur.RoleId && r.NormalizedName == PortalRole.AdministratorKey))
            .Join(db.Users, ur => ur.UserId, u => u.Id, (_, u) => u)
            .Where(u => !u.IsDisabled && u.Email != null)
            .OrderBy(u => u.Email)
            .Select(u => u.Email!)
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// An application's credential managers (enabled users, <paramref name="except"/> left out), else the
    /// administrators (<see cref="ForAsync"/>): who hears about the application's webhook endpoints.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ManagersElseAdministratorsAsync(CredentialPortalDbContext db, int applicationId,
        Guid? except, PortalOptions portal, CancellationToken cancellationToken)
    {
        var managers = await ManagerAddresses.Of(db, applicationId, except).Order().ToListAsync(cancellationToken);
        return managers.Count > 0 ? managers : await ForAsync(db, portal, cancellationToken);
    }
}

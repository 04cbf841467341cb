using System.Security.Claims;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Credentials;

/// <summary>
/// Which applications a signed-in user may see and manage: administrators all of them, everyone else only those
/// they are credential manager of. Every credentials handler, GET and POST, goes through here.
/// </summary>
public sealed class ApplicationAccess(CredentialPortalDbContext db)
{
    public static bool IsAdministrator(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(PortalRole.Administrator);
    }

    public static Guid? UserId(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
    }

    /// <summary>The applications this user may manage.</summary>
    public IQueryable<Application> Manageable(ClaimsPrincipal user)
    {
        if (IsAdministrator(user))
        {
            return db.Applications;
        }

        var userId = UserId(user) ?? Guid.Empty;
        return db.Applications.Where(a => a.Managers.Any(m => m.UserId == userId));
    }

    /// <summary>
    /// The application with its organisation, or null when it does not exist or the user may not manage it —
    /// callers answer 404 either way, so ids of other organisations' applications reveal nothing.
    /// </summary>
    public Task<Application?> FindAsync(ClaimsPrincipal user, int applicationId, CancellationToken cancellationToken) =>
        Manageable(user).Include(a => a.Organisation).SingleOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
}

using System.Security.Claims;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Account;

/// <summary>
/// Who may manage which application: administrators every application, a credential manager the applications
/// assigned to them. Page handlers call this for every request that names an application (GET and POST).
/// </summary>
public sealed class ManagedApplications(CredentialPortalDbContext db)
{
    public static bool IsAdministrator(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(PortalRole.Administrator);
    }

    /// <summary>The signed-in user's id, or <c>null</c> for an anonymous principal.</summary>
    public static Guid? UserId(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
    }

    /// <summary>The applications this user may manage, as a query to filter, page and project further.</summary>
    public IQueryable<Application> QueryManagedApplications(ClaimsPrincipal user)
    {
        if (IsAdministrator(user))
        {
            return db.Applications;
        }

        // Driven from the user's assignments (the key's first column), not by probing every application.
        return UserId(user) is { } id
            ? db.Applications.Where(a => db.CredentialManagers.Where(m => m.UserId == id).Select(m => m.ApplicationId).Contains(a.Id))
            : db.Applications.Where(_ => false);
    }

    /// <summary>
    /// The application with its organisation, or null when it does not exist or the user may not manage it —
    /// callers answer 404 either way, so ids of other organisations' applications reveal nothing.
    /// </summary>
    public Task<Application?> FindAsync(ClaimsPrincipal user, int applicationId, CancellationToken cancellationToken = default) =>
        QueryManagedApplications(user).Include(a => a.Organisation).SingleOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
}

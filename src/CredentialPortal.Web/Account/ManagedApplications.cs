using System.Security.Claims;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Authorization;
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

        return UserId(user) is { } id
            ? db.Applications.Where(a => a.Managers.Any(m => m.UserId == id))
            : db.Applications.Where(_ => false);
    }

    /// <summary>
    /// The application with its organisation, or null when it does not exist or the user may not manage it —
    /// callers answer 404 either way, so ids of other organisations' applications reveal nothing.
    /// </summary>
    public Task<Application?> FindAsync(ClaimsPrincipal user, int applicationId, CancellationToken cancellationToken = default) =>
        QueryManagedApplications(user).Include(a => a.Organisation).SingleOrDefaultAsync(a => a.Id == applicationId, cancellationToken);

    public async Task<bool> CanManageAsync(ClaimsPrincipal user, int applicationId, CancellationToken cancellationToken = default)
    {
        if (IsAdministrator(user))
        {
            return true;
        }

        return UserId(user) is { } id
            && await db.CredentialManagers.AnyAsync(m => m.UserId == id && m.ApplicationId == applicationId, cancellationToken);
    }
}

/// <summary>The <c>CredentialManager</c> policy's requirement; the resource is the application id (an <c>int</c>).</summary>
public sealed class CredentialManagerRequirement : IAuthorizationRequirement;

public sealed class CredentialManagerHandler(ManagedApplications applications) : AuthorizationHandler<CredentialManagerRequirement, int>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, CredentialManagerRequirement requirement, int resource)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await applications.CanManageAsync(context.User, resource))
        {
            context.Succeed(requirement);
        }
    }
}

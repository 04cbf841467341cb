using CredentialPortal.Core;
using System.Security.Claims;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.Web.Account;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Webhooks;

/// <summary>A signing secret shown this once, and whom the endpoint reports on.</summary>
public sealed record ShownSigningSecret(string Secret, string For);

/// <summary>
/// Who may see and who may manage which webhook endpoints, the one place that decides it. Administrators see and manage
/// every endpoint (organisations' and applications'). A credential manager manages the endpoints of the applications
/// assigned to them, and sees, read-only, their organisation's endpoints (which hear about those applications too).
/// Every handler asks this (GET and POST); an endpoint outside it is simply not found.
/// </summary>
public sealed class WebhookAccess(CredentialPortalDbContext db, ManagedApplications applications)
{
    public IQueryable<WebhookEndpoint> Visible(ClaimsPrincipal user)
    {
        if (ManagedApplications.IsAdministrator(user))
        {
            return db.WebhookEndpoints;
        }

        // A user manages applications of their own organisation only, so these are its endpoints.
        var managed = applications.QueryManagedApplications(user);
        var managedIds = managed.Select(a => a.Id);
        var organisations = managed.Select(a => a.OrganisationId);
        return db.WebhookEndpoints.Where(e => (e.ApplicationId != null && managedIds.Contains(e.ApplicationId.Value))
            || (e.OrganisationId != null && organisations.Contains(e.OrganisationId.Value)));
    }

    /// <summary>Those <see cref="Visible"/> endpoints the user may change, test, rotate, send again, disable and delete.</summary>
    public IQueryable<WebhookEndpoint> Manageable(ClaimsPrincipal user)
    {
        if (ManagedApplications.IsAdministrator(user))
        {
            return db.WebhookEndpoints;
        }

        var managed = applications.QueryManagedApplications(user).Select(a => a.Id);
        return db.WebhookEndpoints.Where(e => e.ApplicationId != null && managed.Contains(e.ApplicationId.Value));
    }

    /// <summary>A visible endpoint with its owner, and whether the user may manage it; null when not visible.</summary>
    public async Task<(WebhookEndpoint Endpoint, bool MayManage)?> FindAsync(ClaimsPrincipal user, int id, CancellationToken cancellationToken)
    {
        if (await WithOwner(Visible(user)).SingleOrDefaultAsync(e => e.Id == id, cancellationToken) is not { } endpoint)
        {
            return null;
        }

        return (endpoint, await Manageable(user).AnyAsync(e => e.Id == id, cancellationToken));
    }

    /// <summary>An endpoint the user may manage, with its owner; null otherwise (seeing it read-only is not enough).</summary>
    public Task<WebhookEndpoint?> FindManageableAsync(ClaimsPrincipal user, int id, CancellationToken cancellationToken) =>
        WithOwner(Manageable(user)).SingleOrDefaultAsync(e => e.Id == id, cancellationToken);

    /// <summary>What the user may register endpoints for: <c>org:ID</c> (administrators) and <c>app:ID</c>, with a label.</summary>
    public async Task<List<(string Value, string Label)>> TargetsAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var targets = new List<(string, string)>();
        if (ManagedApplications.IsAdministrator(user))
        {
            var organisations = (await db.Organisations.Select(o => new { o.Id, o.Name }).ToListAsync(cancellationToken)).OrderByName(o => o.Name);
            targets.AddRange(organisations.Select(o => ($"org:{o.Id}", $"Organisation {o.Name} (all its applications)")));
        }

        var apps = await applications.QueryManagedApplications(user).OrderByName().Select(a => new { a.Id, a.Name }).ToListAsync(cancellationToken);
        targets.AddRange(apps.Select(a => ($"app:{a.Id}", $"Application {a.Name}")));
        return targets;
    }

    /// <summary>Whom an endpoint reports on, as the pages name it.</summary>
    public static string OwnerName(WebhookEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Application is { } application ? application.Name : $"{endpoint.Organisation?.Name} (organisation)";
    }

    private static IQueryable<WebhookEndpoint> WithOwner(IQueryable<WebhookEndpoint> endpoints) =>
        endpoints.Include(e => e.Application).Include(e => e.Organisation);
}

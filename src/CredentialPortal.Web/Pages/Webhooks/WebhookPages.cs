using System.Security.Claims;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.Web.Account;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Webhooks;

/// <summary>
/// Who may see and manage which webhook endpoints: administrators every endpoint (organisations' and applications'),
/// a credential manager the endpoints of the applications assigned to them. Every handler asks this (GET and POST);
/// an endpoint outside it is simply not found.
/// </summary>
public sealed class WebhookAccess(CredentialPortalDbContext db, ManagedApplications applications)
{
    public IQueryable<WebhookEndpoint> Visible(ClaimsPrincipal user)
    {
        if (ManagedApplications.IsAdministrator(user))
        {
            return db.WebhookEndpoints;
        }

        var managed = applications.QueryManagedApplications(user).Select(a => a.Id);
        return db.WebhookEndpoints.Where(e => e.ApplicationId != null && managed.Contains(e.ApplicationId.Value));
    }

    public Task<WebhookEndpoint?> FindAsync(ClaimsPrincipal user, int id, CancellationToken cancellationToken) =>
        Visible(user).Include(e => e.Application).Include(e => e.Organisation).SingleOrDefaultAsync(e => e.Id == id, cancellationToken);

    /// <summary>What the user may register endpoints for: <c>org:ID</c> (administrators) and <c>app:ID</c>, with a label.</summary>
    public async Task<List<(string Value, string Label)>> TargetsAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var targets = new List<(string, string)>();
        if (ManagedApplications.IsAdministrator(user))
        {
            var organisations = await db.Organisations.OrderBy(o => o.Name).Select(o => new { o.Id, o.Name }).ToListAsync(cancellationToken);
            targets.AddRange(organisations.Select(o => ($"org:{o.Id}", $"Organisation {o.Name} (all its applications)")));
        }

        var apps = await applications.QueryManagedApplications(user).OrderBy(a => a.Name).Select(a => new { a.Id, a.Name }).ToListAsync(cancellationToken);
        targets.AddRange(apps.Select(a => ($"app:{a.Id}", $"Application {a.Name}")));
        return targets;
    }

    /// <summary>Whom an endpoint reports on, as the pages name it.</summary>
    public static string OwnerName(WebhookEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Application is { } application ? application.Name : $"{endpoint.Organisation?.Name} (organisation)";
    }

    /// <summary>The address without its query string, which may hold the receiver's token.</summary>
    public static string DisplayUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) + (uri.Query.Length > 0 ? "?…" : "") : url;
}

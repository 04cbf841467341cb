using CredentialPortal.Core;
using CredentialPortal.Core.Administration;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Admin.Applications;

[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class IndexModel(CredentialPortalDbContext db, TimeProvider time) : PageModel
{
    public const int PageSize = 50;

    public sealed record Row(
        int Id, string Name, string ClientId, string Organisation, string ApiCode, bool IsSandboxOnly, bool IsActive,
        bool OrganisationActive, int Managers, int ActiveCredentials, DateTime? NextExpiry);

    [BindProperty(SupportsGet = true), PlainText(ErrorMessage = "The search " + PlainText.ErrorMessage + ".")] public string? Search { get; set; }
    [BindProperty(SupportsGet = true)] public int? OrganisationId { get; set; }
    [BindProperty(SupportsGet = true), PlainText] public string? Api { get; set; }
    [BindProperty(SupportsGet = true)] public bool SandboxOnly { get; set; }
    [BindProperty(SupportsGet = true)] public bool FewManagers { get; set; }
    [BindProperty(SupportsGet = true)] public bool ExpiringSoon { get; set; }
    [BindProperty(SupportsGet = true)] public bool CannotObtainTokens { get; set; }
    [FromQuery(Name = Pager.PageParameter)] public int PageNumber { get; set; } = 1;

    [TempData]
    public string? StatusMessage { get; set; }

    public IReadOnlyList<Row> Applications { get; private set; } = [];
    public Paging Paging { get; private set; } = Paging.Of(1, PageSize, 0);
    public IReadOnlyList<SelectListItem> Organisations { get; private set; } = [];
    public DateTime Now { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow().UtcDateTime;
        var now = Now;
        // A term with control characters cannot match stored text (none holds any); PostgreSQL would refuse a NUL.
        if (ModelState.GetFieldValidationState(nameof(Search)) == ModelValidationState.Invalid
            || ModelState.GetFieldValidationState(nameof(Api)) == ModelValidationState.Invalid)
        {
            return;
        }

        var query = db.Applications.AsQueryable();
        if (!string.IsNullOrWhiteSpace(Search))
        {
            var term = Search.Trim();
            query = query.Where(a => a.Name.Contains(term) || a.ClientId == term);
        }

        if (OrganisationId is { } organisationId)
        {
            query = query.Where(a => a.OrganisationId == organisationId);
        }

        if (!string.IsNullOrEmpty(Api))
        {
            query = query.Where(a => a.ApiCode == Api);
        }

        if (SandboxOnly)
        {
            query = query.Where(a => a.IsSandboxOnly);
        }

        if (FewManagers)
        {
            query = Attention.FewManagers(db, query);
        }

        if (ExpiringSoon)
        {
            query = Attention.ExpiringSoon(db, query, now);
        }

        if (CannotObtainTokens)
        {
            query = Attention.CannotObtainTokens(db, query, now);
        }

        Paging = Paging.Of(PageNumber, PageSize, await query.CountAsync(cancellationToken));
        PageNumber = Paging.Number;
        var rows = await query
            .OrderBy(a => a.Name)
            .Page(Paging)
            .Select(a => new
            {
                Row = new Row(a.Id, a.Name, a.ClientId, a.Organisation.Name, a.ApiCode, a.IsSandboxOnly, a.IsActive, a.Organisation.IsActive, a.Managers.Count, 0, null),
                a.AuthenticationPolicy,
            })
            .ToListAsync(cancellationToken);
        // The credentials that can obtain tokens: active ones, of a kind the application's policy allows (as the "cannot
        // obtain tokens" filter counts them), counted per application and kind for the rows shown.
        var ids = rows.Select(r => r.Row.Id).ToList();
        var active = (await db.ClientCredentials
                .Where(c => ids.Contains(c.ApplicationId))
                .Where(CredentialQueries.Active<ClientCredential>(now))
                .GroupBy(c => new { c.ApplicationId, c.Kind })
                .Select(g => new { g.Key.ApplicationId, g.Key.Kind, Count = g.Count(), NextExpiry = g.Min(c => c.ExpiresAt) })
                .ToListAsync(cancellationToken))
            .ToLookup(g => g.ApplicationId);
        Applications = rows.Select(r =>
        {
            var allowed = active[r.Row.Id].Where(g => r.AuthenticationPolicy.Allows(g.Kind)).ToList();
            return r.Row with
            {
                ActiveCredentials = allowed.Sum(g => g.Count),
                NextExpiry = allowed.Count == 0 ? null : allowed.Min(g => g.NextExpiry),
            };
        }).ToList();
        Organisations = await db.Organisations.OrderBy(o => o.Name)
            .Select(o => new SelectListItem(o.Name, o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToListAsync(cancellationToken);
    }

    public Pager Pager => Pager.Numbered("/admin/applications", Paging, RouteFor);

    /// <summary>The current filters with another page number, for the pager links.</summary>
    public IDictionary<string, string?> RouteFor(int page) => new Dictionary<string, string?>
    {
        ["Search"] = Search,
        ["OrganisationId"] = OrganisationId?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Api"] = Api,
        ["SandboxOnly"] = SandboxOnly ? "true" : null,
        ["FewManagers"] = FewManagers ? "true" : null,
        ["ExpiringSoon"] = ExpiringSoon ? "true" : null,
        ["CannotObtainTokens"] = CannotObtainTokens ? "true" : null,
        [Pager.PageParameter] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

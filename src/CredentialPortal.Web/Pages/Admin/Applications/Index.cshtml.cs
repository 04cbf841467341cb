using System.Globalization;
using System.Text;
using CredentialPortal.Core;
using CredentialPortal.Core.Administration;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Export;
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
        bool OrganisationActive, int Managers, int ActiveCredentials, DateTime? NextExpiry)
    {
        /// <summary>As the list's status column says it.</summary>
        public string Status => !OrganisationActive ? "Inactive (organisation)" : IsActive ? "Active" : "Inactive";
    }

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
        if (!FiltersApply)
        {
            return;
        }

        var query = Filtered(Now);
        Paging = Paging.Of(PageNumber, PageSize, await query.CountAsync(cancellationToken));
        PageNumber = Paging.Number;
        Applications = await RowsAsync(query.OrderByName().Page(Paging), Now, cancellationToken);
        Organisations = (await db.Organisations.Select(o => new { o.Id, o.Name }).ToListAsync(cancellationToken))
            .OrderByName(o => o.Name).Select(o => new SelectListItem(o.Name, o.Id.ToString(CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>Every application the filters select (not only this page's), as CSV for a spreadsheet.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken)
    {
        if (!FiltersApply)
        {
            return BadRequest(ModelState);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var csv = new StringBuilder(CsvText.Line("name", "client_id", "organisation", "api", "sandbox_only", "status", "credential_managers",
            "active_credentials", "next_expiry_utc"));
        foreach (var row in await RowsAsync(Filtered(now).OrderByName(), now, cancellationToken))
        {
            csv.Append(CsvText.Line(row.Name, row.ClientId, row.Organisation, row.ApiCode, row.IsSandboxOnly ? "yes" : "no", row.Status,
                row.Managers.ToString(CultureInfo.InvariantCulture), row.ActiveCredentials.ToString(CultureInfo.InvariantCulture),
                row.NextExpiry?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
        }

        return File(Encoding.UTF8.GetBytes(csv.ToString()), CsvText.ContentType, "applications.csv");
    }

    /// <summary>A term with control characters cannot match stored text (none holds any); PostgreSQL would refuse a NUL.</summary>
    private bool FiltersApply => ModelState.GetFieldValidationState(nameof(Search)) != ModelValidationState.Invalid
        && ModelState.GetFieldValidationState(nameof(Api)) != ModelValidationState.Invalid;

    private IQueryable<Application> Filtered(DateTime now)
    {
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

        return query;
    }

    private async Task<List<Row>> RowsAsync(IQueryable<Application> applications, DateTime now, CancellationToken cancellationToken)
    {
        var rows = await applications
            .Select(a => new
            {
                Row = new Row(a.Id, a.Name, a.ClientId, a.Organisation.Name, a.ApiCode, a.IsSandboxOnly, a.IsActive, a.Organisation.IsActive, a.Managers.Count, 0, null),
                a.AuthenticationPolicy,
                a.AllowedCredentialKinds,
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
        return rows.Select(r =>
        {
            var allowed = active[r.Row.Id].Where(g => AuthenticationPolicies.Effective(r.AllowedCredentialKinds, r.AuthenticationPolicy).Allows(g.Kind)).ToList();
            return r.Row with
            {
                ActiveCredentials = allowed.Sum(g => g.Count),
                NextExpiry = allowed.Count == 0 ? null : allowed.Min(g => g.NextExpiry),
            };
        }).ToList();
    }

    public Pager Pager => Pager.Numbered("/admin/applications", Paging, RouteFor);

    /// <summary>The current filters with another page number, for the pager links.</summary>
    public IDictionary<string, string?> RouteFor(int page) => new Dictionary<string, string?>
    {
        ["Search"] = Search,
        ["OrganisationId"] = OrganisationId?.ToString(CultureInfo.InvariantCulture),
        ["Api"] = Api,
        ["SandboxOnly"] = SandboxOnly ? "true" : null,
        ["FewManagers"] = FewManagers ? "true" : null,
        ["ExpiringSoon"] = ExpiringSoon ? "true" : null,
        ["CannotObtainTokens"] = CannotObtainTokens ? "true" : null,
        [Pager.PageParameter] = page.ToString(CultureInfo.InvariantCulture),
    };
}

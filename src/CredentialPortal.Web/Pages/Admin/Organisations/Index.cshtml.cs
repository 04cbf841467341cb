using CredentialPortal.Core;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Admin.Organisations;

[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class IndexModel(CredentialPortalDbContext db) : PageModel
{
    public sealed record Row(int Id, string Name, string CountryCode, bool IsActive, bool IsOperator, int Applications, int Users)
    {
        public string CountryName => CountryCodes.NameOf(CountryCode);
    }

    public IReadOnlyList<Row> Organisations { get; private set; } = [];

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Organisations = (await db.Organisations
            .Select(o => new Row(o.Id, o.Name, o.CountryCode, o.IsActive, o.IsOperator, o.Applications.Count, db.Users.Count(u => u.OrganisationId == o.Id)))
            .ToListAsync(cancellationToken)).OrderByName(o => o.Name).ToList();
    }
}

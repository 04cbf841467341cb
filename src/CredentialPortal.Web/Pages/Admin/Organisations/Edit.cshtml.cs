using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Web.Account;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Admin.Organisations;

[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class EditModel(CredentialPortalDbContext db, AuditLog audit, TimeProvider time) : PageModel
{
    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the organisation's name.")]
        [StringLength(Organisation.MaxNameLength, ErrorMessage = "The name can be at most {1} characters.")]
        [PlainText(ErrorMessage = "The name " + PlainText.ErrorMessage + ".")]
        public string Name { get; set; } = "";

        [Required(ErrorMessage = "Choose the organisation's country.")]
        public string CountryCode { get; set; } = "";

        public bool IsActive { get; set; } = true;

        /// <summary>The administrator saw what deactivation does and confirmed it (the second step of a deactivation).</summary>
        public bool ConfirmDeactivation { get; set; }
    }

    /// <summary>Set when a deactivation awaits confirmation: what it would stop.</summary>
    public (int Applications, int Users)? DeactivationImpact { get; private set; }

    [FromRoute]
    public int? Id { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public bool IsNew => Id is null;

    public IEnumerable<SelectListItem> Countries =>
        CountryCodes.Names.OrderBy(c => c.Value, StringComparer.Ordinal)
            .Select(c => new SelectListItem($"{c.Value} ({c.Key})", c.Key));

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (IsNew)
        {
            return Page();
        }

        var organisation = await db.Organisations.FindAsync([Id], cancellationToken);
        if (organisation is null)
        {
            return NotFound();
        }

        Input = new InputModel { Name = organisation.Name, CountryCode = organisation.CountryCode, IsActive = organisation.IsActive };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var organisation = IsNew ? null : await db.Organisations.FindAsync([Id], cancellationToken);
        if (!IsNew && organisation is null)
        {
            return NotFound();
        }

        Input.Name = OrganisationName.Normalise(Input.Name);
        if (Input.Name.Length > 0 && OrganisationName.Validate(Input.Name) is { } nameError)
        {
            ModelState.AddModelError("Input.Name", nameError);
        }

        Input.CountryCode = Input.CountryCode?.Trim().ToUpperInvariant() ?? "";
        if (Input.CountryCode.Length > 0 && !CountryCodes.IsValid(Input.CountryCode))
        {
            ModelState.AddModelError("Input.CountryCode", $"'{Input.CountryCode}' is not an ISO 3166-1 alpha-2 country code.");
        }

        var key = OrganisationName.Key(Input.Name);
        if (await db.Organisations.Where(o => o.NormalizedName == key && o.Id != (Id ?? 0)).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken) is { } existing)
        {
            ModelState.AddModelError("Input.Name", $"Another organisation is already called {existing} (names differing only in case or spacing count as the same).");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var now = time.GetUtcNow().UtcDateTime;
        string eventType;
        if (organisation is null)
        {
            organisation = new Organisation { Name = Input.Name, CountryCode = Input.CountryCode, CreatedAt = now };
            db.Organisations.Add(organisation);
            await db.SaveChangesAsync(cancellationToken);
            eventType = AuditEventTypes.OrganisationCreated;
        }
        else
        {
            if (organisation.IsActive && !Input.IsActive && !Input.ConfirmDeactivation)
            {
                // Deactivation cuts off a partner at once: say what it stops and ask again before doing it.
                DeactivationImpact = (
                    await db.Applications.CountAsync(a => a.OrganisationId == organisation.Id && a.IsActive, cancellationToken),
                    await db.Users.CountAsync(u => u.OrganisationId == organisation.Id && !u.IsDisabled, cancellationToken));
                return Page();
            }

            if (organisation.IsActive != Input.IsActive)
            {
                // Whether its applications may obtain tokens changed: tell every token-service instance.
                foreach (var applicationId in await db.Applications.Where(a => a.OrganisationId == organisation.Id).Select(a => a.Id).ToListAsync(cancellationToken))
                {
                    db.RecordCredentialChange(applicationId, now);
                }
            }

            organisation.Name = Input.Name;
            organisation.CountryCode = Input.CountryCode;
            organisation.IsActive = Input.IsActive;
            eventType = AuditEventTypes.OrganisationChanged;
        }

        audit.Add(eventType, AuditActors.Current(HttpContext),
            $"{organisation.Name} ({organisation.CountryCode}){(organisation.IsActive ? "" : ", inactive")}", organisationId: organisation.Id);
        await db.SaveChangesAsync(cancellationToken);
        TempData["StatusMessage"] = IsNew ? $"Organisation {organisation.Name} added." : $"Organisation {organisation.Name} saved.";
        return RedirectToPage("Index");
    }
}

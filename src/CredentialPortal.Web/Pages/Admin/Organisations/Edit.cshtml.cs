using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Web.Account;
using CredentialPortal.Core.Administration;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Admin.Organisations;

[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class EditModel(CredentialPortalDbContext db, OrganisationAdministration organisations) : PageModel
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

    /// <summary>What the organisation holds, each linked from its page (shown when editing).</summary>
    public sealed record Holdings(bool IsOperator, int Applications, int Users, int Webhooks);

    public Holdings? Holding { get; private set; }

    [FromRoute]
    public int? Id { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public bool IsNew => Id is null;

    public IEnumerable<SelectListItem> Countries =>
        CountryCodes.Names.OrderByName(c => c.Value)
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
        Holding = new Holdings(organisation.IsOperator,
            await db.Applications.CountAsync(a => a.OrganisationId == organisation.Id, cancellationToken),
            await db.Users.CountAsync(u => u.OrganisationId == organisation.Id, cancellationToken),
            await db.WebhookEndpoints.CountAsync(e => e.OrganisationId == organisation.Id || e.Application!.OrganisationId == organisation.Id, cancellationToken));
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
        Input.CountryCode = Input.CountryCode?.Trim().ToUpperInvariant() ?? "";
        foreach (var (field, message) in await organisations.CheckAsync(Id, Input.Name, Input.CountryCode, cancellationToken))
        {
            ModelState.AddModelError($"{nameof(Input)}.{field}", message);
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var actor = AuditActors.Current(HttpContext);
        if (organisation is null)
        {
            organisation = await organisations.CreateAsync(Input.Name, Input.CountryCode, actor, cancellationToken);
        }
        else if (organisation.IsActive && !Input.IsActive && !Input.ConfirmDeactivation)
        {
            // Deactivation cuts off a partner at once: say what it stops and ask again before doing it.
            DeactivationImpact = await organisations.DeactivationImpactAsync(organisation, cancellationToken);
            return Page();
        }
        else
        {
            await organisations.UpdateAsync(organisation, Input.Name, Input.CountryCode, Input.IsActive, actor, cancellationToken);
        }

        TempData["StatusMessage"] = IsNew ? $"Organisation {organisation.Name} added." : $"Organisation {organisation.Name} saved.";
        return RedirectToPage("Index");
    }
}

using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using CredentialPortal.Core.Administration;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Admin.Users;

/// <summary>
/// Invites a person (the command: <see cref="Invitations"/>): the organisation is chosen first, which lists its
/// applications for the new user to manage.
/// </summary>
[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class InviteModel(CredentialPortalDbContext db, Invitations invitations) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public IReadOnlyList<SelectListItem> Organisations { get; private set; } = [];

    /// <summary>The pending user an invitation with another name was refused for: the page links to editing them.</summary>
    public Guid? PendingUserId { get; private set; }
    public IReadOnlyList<(int Id, string Name)> Applications { get; private set; } = [];

    public sealed class InputModel
    {
        [Required, EmailAddress, StringLength(256), PlainText, Display(Name = "Email address")]
        public string Email { get; set; } = "";

        [Required, StringLength(PortalUser.MaxDisplayNameLength), PlainText, Display(Name = "Name")]
        public string DisplayName { get; set; } = "";

        [Display(Name = "Organisation")]
        public int OrganisationId { get; set; }

        public List<int> ApplicationIds { get; set; } = [];
    }

    /// <summary>Choosing the organisation first (a GET) lists its applications, so the form never lists them all.</summary>
    public async Task OnGetAsync(int? organisationId)
    {
        Input.OrganisationId = organisationId ?? 0;
        await LoadListsAsync();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await LoadListsAsync();
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await invitations.InviteAsync(Input.Email, Input.DisplayName, Input.OrganisationId, Input.ApplicationIds,
            AuditActors.Current(HttpContext), HttpContext.RequestAborted);
        foreach (var (field, message) in result.Errors)
        {
            ModelState.AddModelError($"{nameof(Input)}.{field}", message);
        }

        if (!result.Succeeded)
        {
            PendingUserId = result.PendingUserId;
            return Page();
        }

        StatusMessage = $"Invitation sent to {result.User!.Email}.";
        return RedirectToPage(new { organisationId = Input.OrganisationId });
    }

    private async Task LoadListsAsync()
    {
        Organisations = (await db.Organisations.Where(o => o.IsActive).Select(o => new { o.Id, o.Name }).ToListAsync())
            .OrderByName(o => o.Name).Select(o => new SelectListItem(o.Name, o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        var organisationId = Input.OrganisationId;
        foreach (var item in Organisations)
        {
            item.Selected = item.Value == organisationId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Applications = organisationId == 0
            ? []
            : (await db.Applications.Where(a => a.OrganisationId == organisationId).OrderByName()
                .Select(a => new { a.Id, a.Name }).ToListAsync()).Select(a => (a.Id, a.Name)).ToList();
    }
}

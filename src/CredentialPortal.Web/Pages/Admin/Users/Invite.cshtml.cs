using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Admin.Users;

/// <summary>
/// Invites a person: creates the user without a password (and optionally makes them credential manager of
/// applications of their organisation) and emails a one-time link. Inviting an address again whose invitation was
/// not accepted yet sends a fresh link and makes the earlier one invalid.
/// </summary>
[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class InviteModel(
    CredentialPortalDbContext db,
    UserManager<PortalUser> users,
    AccountEmails emails,
    AuditLog audit,
    TimeProvider time) : PageModel
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
        var organisation = await db.Organisations.SingleOrDefaultAsync(o => o.Id == Input.OrganisationId && o.IsActive);
        if (organisation is null)
        {
            ModelState.AddModelError("Input.OrganisationId", "Choose an active organisation.");
        }

        var applicationIds = Input.ApplicationIds.Distinct().ToList();
        if (organisation is not null && applicationIds.Count > 0
            && await db.Applications.CountAsync(a => applicationIds.Contains(a.Id) && a.OrganisationId == organisation.Id) != applicationIds.Count)
        {
            ModelState.AddModelError("Input.ApplicationIds", "A user can manage only applications of their own organisation.");
        }

        if (!ModelState.IsValid || organisation is null)
        {
            return Page();
        }

        var actor = AuditActors.Current(HttpContext);
        var user = await users.FindByEmailAsync(Input.Email);
        if (user is not null && (await users.HasPasswordAsync(user) || user.OrganisationId != organisation.Id))
        {
            ModelState.AddModelError("Input.Email", "A user with this email address already exists.");
            return Page();
        }

        // Inviting again must not silently rename someone: a different name is more likely a different person.
        if (user is not null && !string.Equals(PlainText.CollapseWhitespace(user.DisplayName), PlainText.CollapseWhitespace(Input.DisplayName), StringComparison.OrdinalIgnoreCase))
        {
            ModelState.AddModelError("Input.DisplayName", $"{user.Email} was already invited as {user.DisplayName}. To send a new link, " +
                $"invite with that name (or resend the invitation from the users list); to correct the name or address, edit the user.");
            PendingUserId = user.Id;
            return Page();
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (user is null)
        {
            user = new PortalUser
            {
                UserName = Input.Email.Trim(),
                Email = Input.Email.Trim(),
                DisplayName = Input.DisplayName.Trim(),
                OrganisationId = organisation.Id,
                CreatedAt = now,
                InvitedAt = now,
            };
            var created = await users.CreateAsync(user);
            if (!created.Succeeded)
            {
                foreach (var error in created.Errors)
                {
                    ModelState.AddModelError("Input.Email", error.Description);
                }

                return Page();
            }

            audit.Add(AuditEventTypes.UserCreated, actor, $"{user.Email} invited", organisationId: organisation.Id);
        }
        else
        {
            // A repeated invitation: a new stamp makes the earlier link invalid.
            user.DisplayName = Input.DisplayName.Trim();
            user.InvitedAt = now;
            await users.UpdateSecurityStampAsync(user);
        }

        var alreadyManaged = await db.CredentialManagers.Where(m => m.UserId == user.Id).Select(m => m.ApplicationId).ToListAsync();
        foreach (var applicationId in applicationIds.Except(alreadyManaged))
        {
            db.CredentialManagers.Add(new CredentialManagerAssignment
            {
                UserId = user.Id,
                ApplicationId = applicationId,
                AssignedAt = now,
                AssignedBy = actor.Name,
            });
            audit.Add(AuditEventTypes.RoleGranted, actor, $"credential manager: {user.Email}", organisationId: organisation.Id, applicationId: applicationId);
        }

        audit.Add(AuditEventTypes.InvitationSent, actor, user.Email, organisationId: organisation.Id);
        var managed = alreadyManaged.Union(applicationIds).ToList();
        var applicationNames = await db.Applications.Where(a => managed.Contains(a.Id)).OrderBy(a => a.Name).Select(a => a.Name).ToListAsync();
        await emails.QueueInvitationAsync(user, organisation.Name, actor.Name, applicationNames);
        await db.SaveChangesAsync();
        StatusMessage = $"Invitation sent to {user.Email}.";
        return RedirectToPage(new { organisationId = organisation.Id });
    }

    private async Task LoadListsAsync()
    {
        Organisations = await db.Organisations.Where(o => o.IsActive).OrderBy(o => o.Name)
            .Select(o => new SelectListItem(o.Name, o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToListAsync();
        var organisationId = Input.OrganisationId;
        foreach (var item in Organisations)
        {
            item.Selected = item.Value == organisationId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Applications = organisationId == 0
            ? []
            : (await db.Applications.Where(a => a.OrganisationId == organisationId).OrderBy(a => a.Name)
                .Select(a => new { a.Id, a.Name }).ToListAsync()).Select(a => (a.Id, a.Name)).ToList();
    }
}

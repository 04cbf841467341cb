using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

public sealed class ChangePasswordModel(UserManager<PortalUser> users, PortalSessions sessions, AuditLog audit, CredentialPortalDbContext db)
    : AccountPage
{
    [BindProperty, Required, DataType(DataType.Password), StringLength(PasswordRules.MaximumLength), Display(Name = "Current password")]
    public string CurrentPassword { get; set; } = "";

    [BindProperty]
    public NewPasswordInput Input { get; set; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await users.ChangePasswordAsync(user, CurrentPassword, Input.Password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(error.Code == "PasswordMismatch" ? nameof(CurrentPassword) : "Input.Password",
                    error.Code == "PasswordMismatch" ? "The current password is not correct." : error.Description);
            }

            return Page();
        }

        audit.Add(AuditEventTypes.PasswordChanged, AuditActors.For(HttpContext, user), organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        // The password change gave the user a new security stamp, which ends their other sessions; this one continues.
        await sessions.CompleteAsync(user);
        StatusMessage = "Your password was changed. Other sessions were signed out.";
        return RedirectToPage("Index");
    }
}

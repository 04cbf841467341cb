using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>A new password, with the current one: a wrong current password counts like a wrong one at sign-in.</summary>
public sealed class ChangePasswordModel(
    UserManager<PortalUser> users,
    PortalSessions sessions,
    LoginThrottle throttle,
    AuditLog audit,
    CredentialPortalDbContext db) : AccountPage
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

        // Otherwise a stolen session could guess the password here without limit, unlike on the sign-in page.
        if (!throttle.TryAcquire(HttpContext, user.Email))
        {
            return Throttled();
        }

        var result = await users.ChangePasswordAsync(user, CurrentPassword, Input.Password);
        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch)))
        {
            if (await RecordFailedCheckAsync(users, user, AuditActors.For(HttpContext, user), AuditEventTypes.LoginFailed,
                    "wrong current password when changing the password", "password change"))
            {
                await sessions.SignOutAsync();
                return RedirectToLoginLockedOut();
            }
        }

        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(error.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? nameof(CurrentPassword) : "Input.Password",
                    error.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "The current password is not correct." : error.Description);
            }

            return Page();
        }

        audit.Add(AuditEventTypes.PasswordChanged, AuditActors.For(HttpContext, user), organisationId: user.OrganisationId);
        HttpContext.RequestServices.GetRequiredService<AccountEmails>().QueuePasswordChanged(user, "on the account page, signed in");
        await db.SaveChangesAsync();
        // The password change gave the user a new security stamp, which ends their other sessions; this one continues.
        await sessions.CompleteAsync(user);
        StatusMessage = "Your password was changed. Other sessions were signed out.";
        return RedirectToPage("Index");
    }
}

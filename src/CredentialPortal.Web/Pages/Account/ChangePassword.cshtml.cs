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
        var (user, answer) = await BeginRecheckAsync(users);
        if (user is null)
        {
            return answer!;
        }

        var result = await users.ChangePasswordAsync(user, CurrentPassword, Input.Password);
        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch)))
        {
            return await RecheckFailedAsync(users, user, AuditEventTypes.LoginFailed, "wrong current password when changing the password",
                "password change", nameof(CurrentPassword), "The current password is not correct.");
        }

        if (!result.Succeeded)
        {
            return NewPasswordRefused(result);
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

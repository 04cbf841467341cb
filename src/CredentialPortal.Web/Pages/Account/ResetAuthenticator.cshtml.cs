using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// A new authenticator (new phone): needs the password again. The old key and all recovery codes stop working, every
/// session ends, and the user is taken through enrolment straight away.
/// </summary>
public sealed class ResetAuthenticatorModel(
    UserManager<PortalUser> users,
    PortalSessions sessions,
    AuditLog audit,
    CredentialPortalDbContext db) : AccountPage
{
    [BindProperty, Required, DataType(DataType.Password), StringLength(PasswordRules.MaximumLength), Display(Name = "Your password")]
    public string Password { get; set; } = "";

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

        if (!await users.CheckPasswordAsync(user, Password))
        {
            return await RecheckFailedAsync(users, user, AuditEventTypes.LoginFailed, "wrong password when resetting the authenticator",
                "authenticator reset", nameof(Password), "The password is not correct.");
        }

        await users.SetTwoFactorEnabledAsync(user, false);
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
        await users.ResetAuthenticatorKeyAsync(user);
        audit.Add(AuditEventTypes.MfaReset, AuditActors.For(HttpContext, user), "by the user", organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        await sessions.SignOutAsync();
        await sessions.BeginAsync(user);
        return RedirectToPage("Enrol", new { returnUrl = "/Account" });
    }
}

using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// The link emailed after an administrator reset someone's authenticator: with the password it starts enrolment of a
/// new one. Wrong passwords count toward the lockout as at sign-in; the new key changes the security stamp, which
/// makes the link unusable afterwards.
/// </summary>
[AllowAnonymous]
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class EnrolFromLinkModel(
    UserManager<PortalUser> users,
    SignInManager<PortalUser> signIn,
    OneTimeLinks links,
    PortalSessions sessions,
    LoginThrottle throttle,
    CredentialPortalDbContext db) : LinkPage(users, links, LinkPurpose.AuthenticatorEnrolment)
{
    [BindProperty, Required, DataType(DataType.Password), StringLength(PasswordRules.MaximumLength), Display(Name = "Your password")]
    public string Password { get; set; } = "";

    public async Task<IActionResult> OnGetAsync()
    {
        await CheckAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await CheckAsync() || LinkUser is not { } user || !ModelState.IsValid)
        {
            return Page();
        }

        if (!throttle.TryAcquire(HttpContext, user.Email))
        {
            return Throttled();
        }

        var actor = AuditActors.For(HttpContext, user);
        if (await Users.IsLockedOutAsync(user))
        {
            return RedirectToLoginLockedOut();
        }

        if (!await Users.CheckPasswordAsync(user, Password))
        {
            if (await RecordFailedCheckAsync(Users, user, actor, AuditEventTypes.LoginFailed,
                    "wrong password with the enrolment link", "enrolment link"))
            {
                return RedirectToLoginLockedOut();
            }

            ModelState.AddModelError(nameof(Password), "The password is not correct.");
            return Page();
        }

        // Enrolment reads the key; it is made here so that no GET changes state. It changes the stamp: the link is
        // used. The requirement for a link stays until enrolment succeeds, so an abandoned one needs a new reset.
        await Users.ResetAuthenticatorKeyAsync(user);
        await db.SaveChangesAsync();
        await sessions.BeginAsync(user);
        return RedirectToPage("Enrol");
    }

    /// <summary>Valid only while the reset it was sent for is still open and the account may sign in.</summary>
    private async Task<bool> CheckAsync()
    {
        if (await CheckLinkAsync() && LinkUser is { } user
            && (user.TwoFactorEnabled || !await Users.NeedsEnrolmentLinkAsync(user) || !await signIn.CanSignInAsync(user)))
        {
            Status = LinkStatus.NotValid;
        }

        return Status == LinkStatus.Valid;
    }
}

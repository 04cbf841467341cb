using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

[AllowAnonymous]
public sealed class LoginModel(
    UserManager<PortalUser> users,
    SignInManager<PortalUser> signIn,
    PortalSessions sessions,
    LoginThrottle throttle,
    AuditLog audit,
    CredentialPortalDbContext db) : AccountPage
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public sealed class InputModel
    {
        [Required, EmailAddress, PlainText, Display(Name = "Email address")]
        public string Email { get; set; } = "";

        [Required, DataType(DataType.Password), StringLength(PasswordRules.MaximumLength)]
        public string Password { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        // Someone half-way through signing in comes back here from any page: send them on to their second step.
        if (await sessions.GetPendingUserAsync() is { } pending)
        {
            return RedirectToSecondStep(pending);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        if (!throttle.TryAcquire(HttpContext, Input.Email))
        {
            return Throttled();
        }

        var user = await users.FindByEmailAsync(Input.Email);
        if (user is null)
        {
            audit.Add(AuditEventTypes.LoginFailed, AuditActors.Anonymous(HttpContext, Input.Email), "unknown email address");
            await db.SaveChangesAsync();
            ModelState.AddModelError("", GenericSignInFailure);
            return Page();
        }

        // Lockout counting is done here rather than by the sign-in manager, so that parallel attempts all count.
        var result = await signIn.CheckPasswordSignInAsync(user, Input.Password, lockoutOnFailure: false);
        var actor = AuditActors.For(HttpContext, user);
        if (result == Microsoft.AspNetCore.Identity.SignInResult.Failed && await users.RecordFailureAsync(user))
        {
            audit.Add(AuditEventTypes.LoginFailed, actor, "wrong password", organisationId: user.OrganisationId);
            result = Microsoft.AspNetCore.Identity.SignInResult.LockedOut;
        }

        if (result.IsLockedOut)
        {
            audit.Add(AuditEventTypes.LoginLockedOut, actor, "password step", organisationId: user.OrganisationId);
            await db.SaveChangesAsync();
            ModelState.AddModelError("", LockedOutMessage);
            return Page();
        }

        if (!result.Succeeded)
        {
            audit.Add(AuditEventTypes.LoginFailed, actor, result.IsNotAllowed ? "account disabled" : "wrong password",
                organisationId: user.OrganisationId);
            await db.SaveChangesAsync();
            ModelState.AddModelError("", GenericSignInFailure);
            return Page();
        }

        if (!user.TwoFactorEnabled && string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user)))
        {
            // The enrolment page only reads the key (no state change on GET), so it is made here. This changes the
            // security stamp, so it happens before the pending session records the stamp.
            await users.ResetAuthenticatorKeyAsync(user);
        }

        await sessions.BeginAsync(user);
        return RedirectToSecondStep(user);
    }

    private RedirectToPageResult RedirectToSecondStep(PortalUser user) =>
        user.TwoFactorEnabled
            ? RedirectToPage("LoginWithCode", new { returnUrl = SafeReturnUrl(ReturnUrl) })
            : RedirectToPage("Enrol", new { returnUrl = SafeReturnUrl(ReturnUrl) });
}

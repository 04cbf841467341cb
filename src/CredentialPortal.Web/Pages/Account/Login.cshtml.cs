using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Pages.Account;

[AllowAnonymous]
public sealed class LoginModel(
    UserManager<PortalUser> users,
    SignInManager<PortalUser> signIn,
    PortalSessions sessions,
    LoginThrottle throttle,
    AuditLog audit,
    CredentialPortalDbContext db,
    IOptions<PortalOptions> portal) : AccountPage
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
        var passwordCorrect = await users.IsPasswordCorrectAsync(user, Input.Password);
        if (user is null)
        {
            audit.Add(AuditEventTypes.LoginFailed, AuditActors.Anonymous(HttpContext, Input.Email), "unknown email address");
            return await FailedAsync();
        }

        // Lockout counting is done here rather than by the sign-in manager, so that parallel attempts all count.
        // Without the right password every account state gets the same answer: neither its existence nor whether
        // it is locked or disabled can be learned by guessing.
        var actor = AuditActors.For(HttpContext, user);
        var lockedOut = await users.IsLockedOutAsync(user);
        if (!passwordCorrect)
        {
            audit.Add(AuditEventTypes.LoginFailed, actor, lockedOut ? "wrong password, account locked" : "wrong password", organisationId: user.OrganisationId);
            if (!lockedOut && await users.RecordFailureAsync(user))
            {
                RecordLockout(user, actor, "password step");
            }

            return await FailedAsync();
        }

        if (!await signIn.CanSignInAsync(user))
        {
            // Only someone who knows the password learns that the account is disabled, and whom to ask.
            audit.Add(AuditEventTypes.LoginFailed, actor, "account disabled", organisationId: user.OrganisationId);
            await db.SaveChangesAsync();
            ModelState.AddModelError("", await DisabledMessageAsync(user));
            return Page();
        }

        if (lockedOut)
        {
            // The same answer as a wrong password, so that a locked account cannot be used to test passwords.
            audit.Add(AuditEventTypes.LoginLockedOut, actor, "password step", organisationId: user.OrganisationId);
            return await FailedAsync();
        }

        if (!user.TwoFactorEnabled && await users.NeedsEnrolmentLinkAsync(user))
        {
            audit.Add(AuditEventTypes.LoginFailed, actor, "authenticator reset: enrolment needs the emailed link", organisationId: user.OrganisationId);
            await db.SaveChangesAsync();
            ModelState.AddModelError("", EnrolmentLinkNeeded);
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

    /// <summary>The browser's answer of a passwordless sign-in (<c>navigator.credentials.get()</c>, as JSON).</summary>
    [BindProperty, StringLength(64 * 1024)]
    public string? Credential { get; set; }

    /// <summary>Request options for a discoverable passkey (JSON for the script): no user is named yet.</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync() =>
        throttle.TryAcquire(HttpContext, null)
            ? Content(await signIn.MakePasskeyRequestOptionsAsync(null), "application/json")
            : new JsonResult(new { error = ThrottledMessage }) { StatusCode = StatusCodes.Status429TooManyRequests };

    /// <summary>
    /// Passwordless: a passkey with user verification is two factors in one (the device, and its screen lock), so it
    /// completes the sign-in on its own, with the same account checks as the password path.
    /// </summary>
    public async Task<IActionResult> OnPostPasskeyAsync()
    {
        // The email and password fields are not part of this form.
        ModelState.Clear();
        if (!throttle.TryAcquire(HttpContext, null))
        {
            return Throttled();
        }

        var result = string.IsNullOrEmpty(Credential) ? null : await signIn.PerformPasskeyAssertionAsync(Credential);
        if (result is not { Succeeded: true })
        {
            audit.Add(AuditEventTypes.LoginFailed, AuditActors.Anonymous(HttpContext, null),
                $"passkey not accepted: {result?.Failure?.Message ?? "no answer from the browser"}");
            await db.SaveChangesAsync();
            ModelState.AddModelError("", PasskeyNotAccepted);
            return Page();
        }

        var user = result.User;
        var actor = AuditActors.For(HttpContext, user);
        if (!await signIn.CanSignInAsync(user))
        {
            audit.Add(AuditEventTypes.LoginFailed, actor, "passkey: account disabled", organisationId: user.OrganisationId);
            await db.SaveChangesAsync();
            ModelState.AddModelError("", await DisabledMessageAsync(user));
            return Page();
        }

        if (await users.IsLockedOutAsync(user))
        {
            audit.Add(AuditEventTypes.LoginLockedOut, actor, "passkey", organisationId: user.OrganisationId);
            await db.SaveChangesAsync();
            return RedirectToLoginLockedOut();
        }

        await users.AddOrUpdatePasskeyAsync(user, result.Passkey);
        await sessions.CompleteAsync(user, withPasskey: true);
        audit.Add(AuditEventTypes.LoginSucceeded, actor, "passkey (passwordless)", organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        return LocalRedirect(SafeReturnUrl(ReturnUrl));
    }

    public const string PasskeyNotAccepted =
        "That passkey was not accepted: it may belong to another site or have been removed. Sign in with your password instead.";

    public const string EnrolmentLinkNeeded =
        "An administrator reset your authenticator. To set up a new one, open the link in the email we sent you about it. " +
        "If the link has expired, ask an administrator to reset your authenticator again.";

    private async Task<PageResult> FailedAsync()
    {
        await db.SaveChangesAsync();
        ModelState.AddModelError("", SignInFailure(AccountSettings));
        return Page();
    }

    private async Task<string> DisabledMessageAsync(PortalUser user)
    {
        var whom = portal.Value.AdministratorsEmail is { Length: > 0 } email
            ? $"the portal's administrators ({email.Trim()})"
            : "an administrator of the portal";
        return user.IsDisabled || await db.Organisations.AnyAsync(o => o.Id == user.OrganisationId && o.IsActive)
            ? $"This account is disabled. Ask {whom} to enable it again."
            : $"Your organisation's access to the portal is deactivated. Ask {whom} about it.";
    }

    private RedirectToPageResult RedirectToSecondStep(PortalUser user) =>
        user.TwoFactorEnabled
            ? RedirectToPage("LoginWithCode", new { returnUrl = LocalOrNull(ReturnUrl) })
            : RedirectToPage("Enrol", new { returnUrl = LocalOrNull(ReturnUrl) });
}

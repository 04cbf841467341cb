using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>A passkey as the second step after the password: only one of the pending user's passkeys is accepted.</summary>
[AllowAnonymous]
public sealed class LoginWithPasskeyModel(
    UserManager<PortalUser> users,
    SignInManager<PortalUser> signIn,
    PortalSessions sessions,
    LoginThrottle throttle,
    AuditLog audit,
    CredentialPortalDbContext db) : SecondFactorPage(users, sessions, throttle, audit, db)
{
    /// <summary>The browser's answer (<c>navigator.credentials.get()</c>, as JSON).</summary>
    [BindProperty, Required(ErrorMessage = "Your browser sent no passkey."), StringLength(64 * 1024)]
    public string Credential { get; set; } = "";

    protected override string Method => "passkey";

    protected override bool WithPasskey => true;

    /// <summary>The request options for the script (JSON), limited to the pending user's passkeys.</summary>
    public async Task<IActionResult> OnPostOptionsAsync()
    {
        if (await Sessions.GetPendingUserAsync() is not { TwoFactorEnabled: true } user)
        {
            return new JsonResult(new { error = "Your sign-in took too long. Please sign in again.", redirect = Url.Page("Login") })
            {
                StatusCode = StatusCodes.Status400BadRequest,
            };
        }

        return Content(await signIn.MakePasskeyRequestOptionsAsync(user), "application/json");
    }

    protected override async Task<(bool, string, string)> VerifyAsync(PortalUser user, AuditActor actor)
    {
        // The ceremony names the pending user, so Identity refuses another user's credential.
        var result = await signIn.PerformPasskeyAssertionAsync(Credential);
        if (!result.Succeeded || result.User.Id != user.Id)
        {
            return (false, AuditEventTypes.MfaFailed, "That passkey was not accepted. Try again, or use a code from your authenticator app.");
        }

        // Stores the new signature counter.
        await Users.AddOrUpdatePasskeyAsync(user, result.Passkey);
        return (true, "", "");
    }
}

/// <summary>The "use your passkey" form (<c>_PasskeySignIn</c>): the page that answers it, and where to go after.</summary>
public sealed record PasskeySignInForm(string Page, string? ReturnUrl);

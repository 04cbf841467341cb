using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>The password step, and a passwordless passkey; <see cref="PortalSignIn"/> decides, this page shows.</summary>
[AllowAnonymous]
public sealed class LoginModel(PortalSignIn signIn, IOptions<AccountOptions> account) : AccountPage
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Sent here because the session ended (<see cref="PortalSessions.EndedParameter"/>): the page says so.</summary>
    [FromQuery(Name = PortalSessions.EndedParameter)]
    public bool SessionEnded { get; set; }

    public int IdleMinutes => (int)Math.Round(account.Value.IdleTimeout.TotalMinutes);

    /// <summary>The browser's answer of a passwordless sign-in (<c>navigator.credentials.get()</c>, as JSON).</summary>
    [BindProperty, StringLength(64 * 1024)]
    public string? Credential { get; set; }

    public sealed class InputModel
    {
        [Required, EmailAddress, PlainText, Display(Name = "Email address")]
        public string Email { get; set; } = "";

        [Required, DataType(DataType.Password), StringLength(PasswordRules.MaximumLength)]
        public string Password { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        // Someone signed in already has nothing to do here: on to the page they asked for, or their work.
        if (PortalSessions.IsSignedIn(User))
        {
            return LocalRedirect(LandingUrl(ReturnUrl));
        }

        // Someone half-way through signing in comes back here from any page: send them on to their second step.
        if (await signIn.GetPendingAsync() is { } pending)
        {
            return RedirectToSecondStep(pending.User.TwoFactorEnabled);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        return Show(await signIn.PasswordAsync(Input.Email, Input.Password));
    }

    /// <summary>Request options for a discoverable passkey (JSON for the script): no user is named yet.</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync() =>
        await signIn.PasswordlessOptionsAsync() is { } options
            ? Content(options, "application/json")
            : new JsonResult(new { error = AccountMessages.ThrottledMessage }) { StatusCode = StatusCodes.Status429TooManyRequests };

    public async Task<IActionResult> OnPostPasskeyAsync()
    {
        // The email and password fields are not part of this form.
        ModelState.Clear();
        return Show(await signIn.PasswordlessAsync(Credential));
    }

    private IActionResult Show(SignInOutcome outcome) => outcome.Status switch
    {
        SignInStatus.SignedIn => LocalRedirect(LandingUrl(ReturnUrl)),
        SignInStatus.SecondFactorNeeded => RedirectToSecondStep(twoFactorEnabled: true),
        SignInStatus.EnrolmentNeeded => RedirectToSecondStep(twoFactorEnabled: false),
        SignInStatus.Throttled => Throttled(),
        SignInStatus.LockedOut => RedirectToLoginLockedOut(outcome.Message),
        _ => Refused([outcome.Message ?? AccountMessages.GenericSignInFailure]),
    };

    private RedirectToPageResult RedirectToSecondStep(bool twoFactorEnabled) =>
        twoFactorEnabled
            ? RedirectToPage("LoginWithCode", new { returnUrl = LocalOrNull(ReturnUrl) })
            : RedirectToPage("Enrol", new { returnUrl = LocalOrNull(ReturnUrl) });
}

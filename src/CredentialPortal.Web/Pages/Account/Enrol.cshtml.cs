using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using QRCoder;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// Authenticator enrolment, reachable only in the pending stage (after the password, an invitation link or an
/// authenticator reset): QR code and grouped key, one verified code, then the recovery codes, shown once.
/// </summary>
[AllowAnonymous]
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class EnrolModel(PortalSignIn signIn, PortalUserManager users) : AccountPage
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty, Required(ErrorMessage = "Enter the 6-digit code your authenticator app shows."), Display(Name = "Code from the app")]
    public string Code { get; set; } = "";

    public string Email { get; private set; } = "";
    public string GroupedKey { get; private set; } = "";
    public string QrCodeSvg { get; private set; } = "";

    /// <summary>Where "continue" leads once the recovery codes are saved.</summary>
    public string ContinueUrl { get; private set; } = "/";

    /// <summary>Set once enrolment succeeded: the page then shows these instead of the form.</summary>
    public IReadOnlyList<string> RecoveryCodes { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (await signIn.GetPendingAsync() is not { } pending)
        {
            if (PortalSessions.IsSignedIn(User))
            {
                // Enrolment is part of signing in; a signed-in user replaces their authenticator from their account.
                StatusMessage = "You are signed in with your authenticator app already. To move it to a new phone, choose Set up a new authenticator below.";
                return RedirectToPage("Index");
            }

            return RedirectToPage("Login", new { returnUrl = ReturnUrl });
        }

        if (pending.User.TwoFactorEnabled)
        {
            return RedirectToPage("LoginWithCode", new { returnUrl = ReturnUrl });
        }

        return await ShowKeyAsync(pending.User) ? Page() : RedirectToPage("Login");
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await signIn.GetPendingAsync() is not { User.TwoFactorEnabled: false } pending)
        {
            StatusMessage = AccountMessages.PendingSignInGone;
            return RedirectToPage("Login", new { returnUrl = ReturnUrl });
        }

        if (!await ShowKeyAsync(pending.User))
        {
            return RedirectToPage("Login");
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        var outcome = await signIn.EnrolAsync(Code);
        switch (outcome.Status)
        {
            case SignInStatus.SignedIn:
                RecoveryCodes = outcome.RecoveryCodes;
                ContinueUrl = LandingUrl(ReturnUrl);
                // Shown in this response only (not stored for a redirect), with no-store caching.
                return Page();
            case SignInStatus.NoPendingSignIn:
                StatusMessage = AccountMessages.PendingSignInGone;
                return RedirectToPage("Login", new { returnUrl = ReturnUrl });
            case SignInStatus.Throttled:
                return Throttled();
            default:
                return Refused([outcome.Message ?? AccountMessages.EnrolmentCodeWrong]);
        }
    }

    private async Task<bool> ShowKeyAsync(PortalUser user)
    {
        if (await users.GetAuthenticatorKeyAsync(user) is not { Length: > 0 } key)
        {
            return false;
        }

        Email = user.Email ?? "";
        GroupedKey = TotpAuthenticator.FormatKey(key);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(TotpAuthenticator.AuthenticatorUri(Email, key), QRCodeGenerator.ECCLevel.M);
        QrCodeSvg = new SvgQRCode(data).GetGraphic(4);
        return true;
    }
}

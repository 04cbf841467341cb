using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// The second step of signing in (authenticator code, passkey or recovery code), done by
/// <see cref="PortalSignIn.SecondFactorAsync"/>: failures count toward the same lockout as wrong passwords, and a
/// locked account loses its pending sign-in.
/// </summary>
public abstract class SecondFactorPage(PortalSignIn signIn, SecondFactor factor) : AccountPage
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>The pending user has passkeys: the page offers signing in with one.</summary>
    public bool HasPasskeys { get; private set; }

    protected PortalSignIn PortalSignIn => signIn;

    public async Task<IActionResult> OnGetAsync()
    {
        if (await signIn.GetPendingAsync() is not { } pending)
        {
            return RedirectToPage("Login", new { returnUrl = ReturnUrl });
        }

        if (!pending.User.TwoFactorEnabled)
        {
            return RedirectToPage("Enrol", new { returnUrl = ReturnUrl });
        }

        HasPasskeys = pending.HasPasskeys;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var outcome = await signIn.SecondFactorAsync(factor, Answer);
        switch (outcome.Status)
        {
            case SignInStatus.SignedIn:
            case SignInStatus.SignedInPasskeyNeeded:
                if (outcome.RecoveryCodesLeft is { } left)
                {
                    StatusMessage = left <= 3
                        ? $"Signed in with a recovery code. You have {left} recovery codes left: generate new ones on your account page."
                        : $"Signed in with a recovery code. You have {left} recovery codes left.";
                }

                // The administrator policy: one who has no passkey yet registers one now.
                return outcome.Status == SignInStatus.SignedInPasskeyNeeded
                    ? RedirectToPage("Passkeys", new { returnUrl = LocalOrNull(ReturnUrl) })
                    : LocalRedirect(LandingUrl(ReturnUrl));
            case SignInStatus.NoPendingSignIn:
                StatusMessage = AccountMessages.PendingSignInGone;
                return RedirectToPage("Login", new { returnUrl = ReturnUrl });
            case SignInStatus.Throttled:
                return Throttled();
            case SignInStatus.LockedOut:
                return RedirectToLoginLockedOut(outcome.Message);
            default:
                return Refused([outcome.Message ?? AccountMessages.CodeWrong]);
        }
    }

    /// <summary>What the person gave: the code, or the browser's passkey answer.</summary>
    protected abstract string Answer { get; }
}

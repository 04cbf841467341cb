using System.ComponentModel.DataAnnotations;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// Step-up for the administrator policy: a session signed in with a code confirms with one of the user's passkeys and
/// is issued again as a passkey session (<c>amr=pop</c>). Without a passkey yet, the user registers one first.
/// </summary>
public sealed class ConfirmPasskeyModel(PortalSignIn signIn, AccountPasskeys passkeys, PortalUserManager users) : AccountPage
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty, Required(ErrorMessage = "Your browser sent no passkey."), StringLength(64 * 1024)]
    public string Credential { get; set; } = "";

    public async Task<IActionResult> OnGetAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        return (await passkeys.ListAsync(user)).Count == 0
            ? RedirectToPage("Passkeys", new { returnUrl = LocalOrNull(ReturnUrl) })
            : Page();
    }

    public async Task<IActionResult> OnPostOptionsAsync() =>
        await signIn.ConfirmationOptionsAsync() is { } options ? Content(options, "application/json") : Challenge();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var outcome = await signIn.ConfirmWithPasskeyAsync(Credential);
        return outcome.Status switch
        {
            SignInStatus.SignedIn => LocalRedirect(LandingUrl(ReturnUrl)),
            SignInStatus.NotSignedIn => Challenge(),
            SignInStatus.Throttled => Throttled(),
            SignInStatus.LockedOut => RedirectToLoginLockedOut(outcome.Message),
            _ => Refused([outcome.Message ?? AccountMessages.ConfirmationPasskeyWrong]),
        };
    }
}

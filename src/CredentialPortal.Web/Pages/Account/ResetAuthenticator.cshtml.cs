using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// A new authenticator (new phone): needs the password again. The old key and all recovery codes stop working, every
/// session ends, and the new one is set up from the link emailed now.
/// </summary>
public sealed class ResetAuthenticatorModel(AccountChanges changes) : AccountPage
{
    [BindProperty, Required, DataType(DataType.Password), StringLength(PasswordRules.MaximumLength), Display(Name = "Your password")]
    public string Password { get; set; } = "";

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var change = await changes.ResetAuthenticatorAsync(Password);
        return change.Status switch
        {
            AccountChangeStatus.Done => SignedOutWith(AccountMessages.AuthenticatorResetEmailed),
            AccountChangeStatus.NotSignedIn => Challenge(),
            AccountChangeStatus.Throttled => Throttled(),
            AccountChangeStatus.LockedOut => RedirectToLoginLockedOut(change.Problems[0]),
            _ => Refused(change.Problems, nameof(Password)),
        };
    }

    private RedirectToPageResult SignedOutWith(string message)
    {
        StatusMessage = message;
        return RedirectToPage("Login");
    }
}

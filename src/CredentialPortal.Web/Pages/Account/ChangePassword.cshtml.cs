using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>A new password, with the current one: a wrong current password counts like a wrong one at sign-in.</summary>
public sealed class ChangePasswordModel(AccountChanges changes) : AccountPage
{
    [BindProperty, Required, DataType(DataType.Password), StringLength(PasswordRules.MaximumLength), Display(Name = "Current password")]
    public string CurrentPassword { get; set; } = "";

    [BindProperty]
    public NewPasswordInput Input { get; set; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var change = await changes.ChangePasswordAsync(CurrentPassword, Input.Password);
        switch (change.Status)
        {
            case AccountChangeStatus.Done:
                StatusMessage = "Your password was changed. Other sessions were signed out.";
                return RedirectToPage("Index");
            case AccountChangeStatus.NotSignedIn:
                return Challenge();
            case AccountChangeStatus.Throttled:
                return Throttled();
            case AccountChangeStatus.LockedOut:
                return RedirectToLoginLockedOut(change.Problems[0]);
            case AccountChangeStatus.PasswordWrong:
                return Refused(change.Problems, nameof(CurrentPassword));
            default:
                return NewPasswordRefused(change);
        }
    }
}

using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

[AllowAnonymous]
public sealed class ForgotPasswordModel(AccountChanges changes) : AccountPage
{
    public const string SentMessage =
        "If an account with that address exists, we have sent it an email with a link to choose a new password.";

    [BindProperty, Required, EmailAddress, PlainText, Display(Name = "Email address")]
    public string Email { get; set; } = "";

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        // The same answer whether or not the address exists, so the form cannot be used to discover accounts.
        if ((await changes.RequestPasswordResetAsync(Email)).Status == AccountChangeStatus.Throttled)
        {
            return Throttled();
        }

        StatusMessage = SentMessage;
        return RedirectToPage("ForgotPassword");
    }
}

using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

[AllowAnonymous]
public sealed class ForgotPasswordModel(
    UserManager<PortalUser> users,
    SignInManager<PortalUser> signIn,
    AccountEmails emails,
    LoginThrottle throttle,
    ILogger<ForgotPasswordModel> logger) : AccountPage
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

        if (!throttle.TryAcquire(HttpContext, Email))
        {
            return Throttled();
        }

        // The same answer whether or not the address exists, so the form cannot be used to discover accounts.
        var user = await users.FindByEmailAsync(Email);
        if (user is not null && await users.HasPasswordAsync(user) && await signIn.CanSignInAsync(user))
        {
            try
            {
                await emails.SendPasswordResetAsync(user, HttpContext.RequestAborted);
            }
            catch (EmailDeliveryException ex)
            {
                // Still the same answer: a delivery problem is for the operators, not a hint for the visitor.
                logger.LogError(ex, "Could not send a password-reset email to user {UserId}", user.Id);
            }
        }

        StatusMessage = SentMessage;
        return RedirectToPage("ForgotPassword");
    }
}

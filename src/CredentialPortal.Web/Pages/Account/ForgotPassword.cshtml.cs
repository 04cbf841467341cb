using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core;
using CredentialPortal.Core.Data;
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
    CredentialPortalDbContext db,
    LoginThrottle throttle) : AccountPage
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
            // Queued, not sent: the answer takes no longer for an existing account than for an unknown address.
            await emails.QueuePasswordResetAsync(user);
            await db.SaveChangesAsync(HttpContext.RequestAborted);
        }

        StatusMessage = SentMessage;
        return RedirectToPage("ForgotPassword");
    }
}

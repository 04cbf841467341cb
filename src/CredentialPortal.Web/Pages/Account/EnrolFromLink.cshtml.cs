using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// The link emailed after an administrator reset someone's authenticator: with the password it starts enrolment of a
/// new one (<see cref="PortalSignIn.EnrolmentLinkPasswordAsync"/>).
/// </summary>
[AllowAnonymous]
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class EnrolFromLinkModel(PortalUserManager users, OneTimeLinks links, PortalSignIn signIn)
    : LinkPage(users, links, LinkPurpose.AuthenticatorEnrolment)
{
    [BindProperty, Required, DataType(DataType.Password), StringLength(PasswordRules.MaximumLength), Display(Name = "Your password")]
    public string Password { get; set; } = "";

    public async Task<IActionResult> OnGetAsync()
    {
        await CheckAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await CheckAsync() || LinkUser is not { } user || !ModelState.IsValid)
        {
            return Page();
        }

        var outcome = await signIn.EnrolmentLinkPasswordAsync(user, Password);
        return outcome.Status switch
        {
            SignInStatus.EnrolmentNeeded => RedirectToPage("Enrol"),
            SignInStatus.Throttled => Throttled(),
            SignInStatus.LockedOut => RedirectToLoginLockedOut(outcome.Message),
            _ => Refused([outcome.Message ?? AccountMessages.PasswordWrong], nameof(Password)),
        };
    }

    /// <summary>Valid only while the reset it was sent for is still open and the account may sign in.</summary>
    private async Task<bool> CheckAsync()
    {
        if (await CheckLinkAsync() && LinkUser is { } user && !await signIn.IsEnrolmentLinkOpenAsync(user))
        {
            Status = LinkStatus.NotValid;
        }

        return Status == LinkStatus.Valid;
    }
}

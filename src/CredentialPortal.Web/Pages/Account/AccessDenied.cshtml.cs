using CredentialPortal.Web.Account;
using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Pages.Account;

[AllowAnonymous]
public sealed class AccessDeniedModel(IOptions<AccountOptions> options) : AccountPage
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>An administrator held back only by the passkey policy is sent to confirm with a passkey instead.</summary>
    public IActionResult OnGet()
    {
        if (options.Value.RequirePhishingResistantMfaForAdministrators && User.IsInRole(PortalRole.Administrator)
            && !PortalSessions.IsPhishingResistant(User))
        {
            return RedirectToPage("ConfirmPasskey", new { returnUrl = LocalOrNull(ReturnUrl) });
        }

        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Page();
    }
}

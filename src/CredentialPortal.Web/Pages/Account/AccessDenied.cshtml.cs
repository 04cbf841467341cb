using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

[AllowAnonymous]
public sealed class AccessDeniedModel : AccountPage
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>An administrator held back only by the passkey policy is sent to confirm with a passkey instead.</summary>
    public IActionResult OnGet()
    {
        if (User.HasClaim(PortalSessions.AdministratorNeedsPasskeyClaim, "true"))
        {
            return RedirectToPage("ConfirmPasskey", new { returnUrl = LocalOrNull(ReturnUrl) });
        }

        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Page();
    }
}

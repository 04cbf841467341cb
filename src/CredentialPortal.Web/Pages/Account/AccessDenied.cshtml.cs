using Microsoft.AspNetCore.Authorization;

namespace CredentialPortal.Web.Pages.Account;

[AllowAnonymous]
public sealed class AccessDeniedModel : AccountPage
{
    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;
}

using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages;

/// <summary>Start page: a sign-in invitation for visitors, the way in for signed-in users.</summary>
[AllowAnonymous]
public sealed class IndexModel : PageModel
{
    public bool SignedIn => PortalSessions.IsSignedIn(User);
    public bool IsAdministrator => SignedIn && ManagedApplications.IsAdministrator(User);
}

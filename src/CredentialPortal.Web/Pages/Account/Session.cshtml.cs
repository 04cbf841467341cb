using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// "Stay signed in" (js/session.js): a request that renews an idle session, as every signed-in request does, and says
/// nothing else. Only a signed-in session reaches it (the default policy); an ended one gets 401.
/// </summary>
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class SessionModel : PageModel
{
    public IActionResult OnGet() => new NoContentResult();
}

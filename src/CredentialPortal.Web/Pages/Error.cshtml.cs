using System.Diagnostics;
using CredentialPortal.Core.Data;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages;

/// <summary>
/// The portal's error page, re-executed by the exception handler for any method. A database outage gets its own
/// message (the status, 503, is set by the handler's status selector) and a <c>Retry-After</c>, instead of a
/// reference to quote: nothing is wrong with the request, it only has to wait.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ErrorModel : PageModel
{
    public string RequestId { get; private set; } = "";

    public bool DatabaseUnavailable { get; private set; }

    public void OnGet() => Describe();

    public void OnPost() => Describe();

    private void Describe()
    {
        RequestId = Activity.Current?.Id ?? HttpContext.TraceIdentifier;
        DatabaseUnavailable = DatabaseOutage.IsOutage(HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error);
        if (DatabaseUnavailable)
        {
            Response.Headers.RetryAfter = DatabaseOutageHandler.RetryAfterSeconds;
        }
    }
}

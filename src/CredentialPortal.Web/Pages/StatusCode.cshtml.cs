using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages;

/// <summary>
/// The page for a portal response that would otherwise have no body (an unknown address, an object that does not
/// exist or is not the reader's, a refused request): rendered by the status-code-pages middleware, which keeps the
/// original status code, so that a person sees where they are and a way back rather than the browser's bare error.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class StatusCodeModel : PageModel
{
    [FromRoute]
    public int Code { get; set; }

    /// <summary>The address that was asked for, when the middleware re-executed a request (never for a direct visit).</summary>
    public string? OriginalPath { get; private set; }

    public (string Title, string Explanation) Text => Code switch
    {
        StatusCodes.Status404NotFound => ("Page not found",
            "There is no page at this address, or what it names does not exist (any more) or is not one of yours."),
        StatusCodes.Status403Forbidden => ("You cannot open this page",
            "Your account does not have the role this page needs. If you think it should, ask an administrator of the portal."),
        StatusCodes.Status400BadRequest => ("The request could not be used",
            "The form may have expired: go back, reload the page and try again."),
        StatusCodes.Status405MethodNotAllowed => ("The request could not be used", "This address does not accept that kind of request."),
        _ => ("Something went wrong", "The request could not be completed. Please try again."),
    };

    public void OnGet() => OriginalPath = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath;

    public void OnPost() => OnGet();
}

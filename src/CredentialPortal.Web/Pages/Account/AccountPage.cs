using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// What the account pages share: the status and alert messages, safe return URLs, and the pages that several
/// outcomes lead to. The decisions are the account services' (<see cref="PortalSignIn"/>, <see cref="AccountChanges"/>);
/// a page maps their outcome to what it shows.
/// </summary>
public abstract class AccountPage : PageModel
{
    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>A problem to show on the next page (after a redirect) in the error style, e.g. a lockout.</summary>
    [TempData]
    public string? AlertMessage { get; set; }

    /// <summary>Only local paths, so that a crafted sign-in link cannot send the user elsewhere afterwards.</summary>
    protected string? LocalOrNull(string? returnUrl) => returnUrl is not null && Url.IsLocalUrl(returnUrl) ? returnUrl : null;

    /// <summary>
    /// Where a finished sign-in or enrolment continues: the local page the person came for, else their work — the
    /// dashboard for an administrator, Manage API Credentials for a credential manager. The session signs in within
    /// the request (<see cref="PortalSessions"/>), so <see cref="PageModel.User"/> already holds the roles.
    /// </summary>
    protected string LandingUrl(string? returnUrl) =>
        LocalOrNull(returnUrl) ?? (ManagedApplications.IsAdministrator(User) ? "/admin" : "/manage-api-credentials");

    /// <summary>The form again, with <paramref name="problems"/> at <paramref name="field"/> ("" for the whole form).</summary>
    protected PageResult Refused(IEnumerable<string> problems, string field = "")
    {
        ArgumentNullException.ThrowIfNull(problems);
        foreach (var problem in problems)
        {
            ModelState.AddModelError(field, problem);
        }

        return Page();
    }

    /// <summary>The form again, with Identity's reasons for refusing the new password (<see cref="NewPasswordInput"/>).</summary>
    protected PageResult NewPasswordRefused(AccountChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Refused(change.Problems, "Input.Password");
    }

    /// <summary>The sign-in page, saying in the error style that the account is now locked and for how long.</summary>
    protected RedirectToPageResult RedirectToLoginLockedOut(string? message)
    {
        AlertMessage = message;
        return RedirectToPage("Login");
    }

    protected PageResult Throttled()
    {
        ModelState.AddModelError("", AccountMessages.ThrottledMessage);
        HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        return Page();
    }
}

using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>What the account pages share: the status message and safe return URLs.</summary>
public abstract class AccountPage : PageModel
{
    public const string GenericSignInFailure = "The email address or password is not correct.";
    public const string LockedOutMessage =
        "Too many failed attempts: this account is locked for a while. Try again later, or reset your password.";
    public const string ThrottledMessage = "Too many attempts from here. Wait a minute and try again.";

    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>Only local paths, so that a crafted sign-in link cannot send the user elsewhere afterwards.</summary>
    protected string SafeReturnUrl(string? returnUrl) => returnUrl is not null && Url.IsLocalUrl(returnUrl) ? returnUrl : "/";

    protected PageResult Throttled()
    {
        ModelState.AddModelError("", ThrottledMessage);
        HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        return Page();
    }
}

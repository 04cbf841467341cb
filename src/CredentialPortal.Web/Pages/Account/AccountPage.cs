using System.Globalization;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>What the account pages share: the status and alert messages, safe return URLs, the lockout message.</summary>
public abstract class AccountPage : PageModel
{
    public const string GenericSignInFailure = "The email address or password is not correct.";
    public const string LockedOutMessage = "Too many failed attempts: this account is locked";
    public const string ThrottledMessage = "Too many attempts from here. Wait a minute and try again.";

    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>A problem to show on the next page (after a redirect) in the error style, e.g. a lockout.</summary>
    [TempData]
    public string? AlertMessage { get; set; }

    /// <summary>How long a lockout lasts, for messages: "15 minutes", "1 hour", "2 hours".</summary>
    public static string Describe(TimeSpan duration) => duration switch
    {
        { TotalMinutes: 1 } => "1 minute",
        { TotalHours: 1 } => "1 hour",
        { TotalHours: > 1 } when duration.TotalHours % 1 == 0 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalHours:0} hours"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0} minutes"),
    };

    /// <summary>Shown when the password was wrong, whatever the state of the account (unknown, locked or disabled).</summary>
    public static string SignInFailure(AccountOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Create(CultureInfo.InvariantCulture,
            $"{GenericSignInFailure} After {options.MaxFailedAttempts} failed attempts in a row an account is locked for {Describe(options.LockoutDuration)}.");
    }

    public static string LockedOut(AccountOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return $"{LockedOutMessage} for {Describe(options.LockoutDuration)}. Try again after that, or reset your password.";
    }

    /// <summary>Only local paths, so that a crafted sign-in link cannot send the user elsewhere afterwards.</summary>
    protected string SafeReturnUrl(string? returnUrl) => LocalOrNull(returnUrl) ?? "/";

    protected string? LocalOrNull(string? returnUrl) => returnUrl is not null && Url.IsLocalUrl(returnUrl) ? returnUrl : null;

    /// <summary>
    /// Where a finished enrolment continues: the local page the person came for, else their work — Manage API
    /// Credentials for a credential manager, the start page (with the administration) for an administrator.
    /// </summary>
    protected string LandingUrl(string? returnUrl) =>
        LocalOrNull(returnUrl) ?? (ManagedApplications.IsAdministrator(User) ? "/" : "/manage-api-credentials");

    /// <summary>The lockout and session settings (read from the request's services, so every page has them).</summary>
    protected AccountOptions AccountSettings => HttpContext.RequestServices.GetRequiredService<IOptions<AccountOptions>>().Value;

    /// <summary>
    /// A wrong password or code of a known user: audits it as <paramref name="eventType"/>, counts it toward the
    /// lockout and saves. When it locked the account, that is audited too and the owner is emailed (both in the same
    /// save); the answer says whether it did.
    /// </summary>
    protected async Task<bool> RecordFailedCheckAsync(UserManager<PortalUser> users, PortalUser user, AuditActor actor,
        string eventType, string detail, string lockedWhere)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(user);
        var services = HttpContext.RequestServices;
        services.GetRequiredService<AuditLog>().Add(eventType, actor, detail, organisationId: user.OrganisationId);
        var locked = await users.RecordFailureAsync(user);
        if (locked)
        {
            RecordLockout(user, actor, lockedWhere);
        }

        await services.GetRequiredService<CredentialPortalDbContext>().SaveChangesAsync();
        return locked;
    }

    /// <summary>
    /// The account just locked: audits it and queues the lockout notice to its owner, both committed by the caller's
    /// next save.
    /// </summary>
    protected void RecordLockout(PortalUser user, AuditActor actor, string where)
    {
        ArgumentNullException.ThrowIfNull(user);
        var services = HttpContext.RequestServices;
        services.GetRequiredService<AuditLog>().Add(AuditEventTypes.LoginLockedOut, actor, where, organisationId: user.OrganisationId);
        services.GetRequiredService<AccountEmails>().QueueLockoutNotice(user, AccountSettings.LockoutDuration);
    }

    /// <summary>
    /// The start of a signed-in page that checks the password or a passkey again before it changes the account: the
    /// user, or the answer to give instead (a challenge when signed out, the form again when it is not valid, 429 when
    /// throttled: otherwise a stolen session could guess the password here without limit, unlike on the sign-in page).
    /// </summary>
    protected async Task<(PortalUser? User, IActionResult? Answer)> BeginRecheckAsync(UserManager<PortalUser> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (await users.GetUserAsync(User) is not { } user)
        {
            return (null, Challenge());
        }

        if (!ModelState.IsValid)
        {
            return (null, Page());
        }

        return HttpContext.RequestServices.GetRequiredService<LoginThrottle>().TryAcquire(HttpContext, user.Email)
            ? (user, null)
            : (null, Throttled());
    }

    /// <summary>
    /// A failed re-check (<see cref="RecordFailedCheckAsync"/>): when it locked the account, the session ends and the
    /// sign-in page says so; otherwise the form again, with <paramref name="message"/> at <paramref name="field"/>.
    /// </summary>
    protected async Task<IActionResult> RecheckFailedAsync(UserManager<PortalUser> users, PortalUser user, string eventType,
        string detail, string where, string field, string message)
    {
        if (await RecordFailedCheckAsync(users, user, AuditActors.For(HttpContext, user), eventType, detail, where))
        {
            await HttpContext.RequestServices.GetRequiredService<PortalSessions>().SignOutAsync();
            return RedirectToLoginLockedOut();
        }

        ModelState.AddModelError(field, message);
        return Page();
    }

    /// <summary>The form again, with Identity's reasons for refusing the new password (<see cref="NewPasswordInput"/>).</summary>
    protected PageResult NewPasswordRefused(IdentityResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var error in result.Errors)
        {
            ModelState.AddModelError("Input.Password", error.Description);
        }

        return Page();
    }

    /// <summary>The sign-in page, saying in the error style that the account is now locked and for how long.</summary>
    protected RedirectToPageResult RedirectToLoginLockedOut()
    {
        AlertMessage = LockedOut(AccountSettings);
        return RedirectToPage("Login");
    }

    protected PageResult Throttled()
    {
        ModelState.AddModelError("", ThrottledMessage);
        HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        return Page();
    }
}

using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// The second step of signing in (authenticator code or recovery code). Failures count toward the same lockout as
/// wrong passwords; a locked account loses its pending sign-in.
/// </summary>
public abstract class SecondFactorPage(
    UserManager<PortalUser> users,
    PortalSessions sessions,
    LoginThrottle throttle,
    AuditLog audit,
    CredentialPortalDbContext db) : AccountPage
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    protected UserManager<PortalUser> Users => users;
    protected PortalSessions Sessions => sessions;
    protected AuditLog Audit => audit;
    protected CredentialPortalDbContext Db => db;

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await sessions.GetPendingUserAsync();
        if (user is null)
        {
            return RedirectToPage("Login", new { returnUrl = ReturnUrl });
        }

        return user.TwoFactorEnabled ? Page() : RedirectToPage("Enrol", new { returnUrl = ReturnUrl });
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await sessions.GetPendingUserAsync();
        if (user is null || !user.TwoFactorEnabled)
        {
            StatusMessage = "Your sign-in took too long or is no longer valid. Please sign in again.";
            return RedirectToPage("Login", new { returnUrl = ReturnUrl });
        }

        if (!ModelState.IsValid)
        {
            return Page();
        }

        if (!throttle.TryAcquire(HttpContext, user.Email))
        {
            return Throttled();
        }

        var actor = AuditActors.For(HttpContext, user);
        if (await users.IsLockedOutAsync(user))
        {
            // Locked already (the owner was emailed when it locked): audited, and the pending session ends.
            audit.Add(AuditEventTypes.LoginLockedOut, actor, Method, organisationId: user.OrganisationId);
            await db.SaveChangesAsync();
            await sessions.SignOutAsync();
            return RedirectToLoginLockedOut();
        }

        var (accepted, failureEvent, failureMessage) = await VerifyAsync(user, actor);
        if (accepted)
        {
            await sessions.CompleteAsync(user);
            audit.Add(AuditEventTypes.LoginSucceeded, actor, Method, organisationId: user.OrganisationId);
            await db.SaveChangesAsync();
            return LocalRedirect(SafeReturnUrl(ReturnUrl));
        }

        if (await RecordFailedCheckAsync(users, user, actor, failureEvent, Method, Method))
        {
            await sessions.SignOutAsync();
            return RedirectToLoginLockedOut();
        }

        ModelState.AddModelError("", failureMessage);
        return Page();
    }

    /// <summary>How this page signs in, for the audit log.</summary>
    protected abstract string Method { get; }

    protected abstract Task<(bool Accepted, string FailureEvent, string FailureMessage)> VerifyAsync(PortalUser user, AuditActor actor);
}

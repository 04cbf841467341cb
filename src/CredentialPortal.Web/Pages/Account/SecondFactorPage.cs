using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Pages.Account;

/// <summary>
/// The second step of signing in (authenticator code, passkey or recovery code). Failures count toward the same lockout as
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

    /// <summary>The pending user has passkeys: the page offers signing in with one.</summary>
    public bool HasPasskeys { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await sessions.GetPendingUserAsync();
        if (user is null)
        {
            return RedirectToPage("Login", new { returnUrl = ReturnUrl });
        }

        if (!user.TwoFactorEnabled)
        {
            return RedirectToPage("Enrol", new { returnUrl = ReturnUrl });
        }

        HasPasskeys = (await users.GetPasskeysAsync(user)).Count > 0;
        return Page();
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
            await sessions.CompleteAsync(user, WithPasskey);
            audit.Add(AuditEventTypes.LoginSucceeded, actor, Method, organisationId: user.OrganisationId);
            await db.SaveChangesAsync();
            // The administrator policy: one who has no passkey yet registers one now.
            var passkeys = HttpContext.RequestServices.GetRequiredService<AccountPasskeys>();
            return !WithPasskey && await passkeys.IsRequiredForAsync(user) && (await users.GetPasskeysAsync(user)).Count == 0
                ? RedirectToPage("Passkeys", new { returnUrl = LocalOrNull(ReturnUrl) })
                : LocalRedirect(SafeReturnUrl(ReturnUrl));
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

    /// <summary>The second factor is a passkey: the session gets <c>amr=pop</c>.</summary>
    protected virtual bool WithPasskey => false;

    protected abstract Task<(bool Accepted, string FailureEvent, string FailureMessage)> VerifyAsync(PortalUser user, AuditActor actor);
}

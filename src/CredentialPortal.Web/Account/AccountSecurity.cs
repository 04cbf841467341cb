using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Account;

public enum RecheckStatus
{
    /// <summary>The signed-in user is who they say (or, from <see cref="AccountSecurity.BeginRecheckAsync"/>, may be checked).</summary>
    Passed,

    /// <summary>No signed-in user (the session ended, or the user no longer exists).</summary>
    NotSignedIn,

    /// <summary>Too many attempts for this account or from this address in the last minute.</summary>
    Throttled,

    /// <summary>The password or passkey was not the user's; counted toward the lockout.</summary>
    Failed,

    /// <summary>The account is locked (now, or already): the session has ended.</summary>
    LockedOut,
}

/// <summary>The answer of a re-check of a signed-in user, with the user when there is one.</summary>
public sealed record Recheck(RecheckStatus Status, PortalUser? User = null);

/// <summary>
/// The account's defences shared by every page that checks a password or a code: the throttle, the lockout and its
/// consequences. A wrong password or code anywhere — at sign-in, with an emailed link, or when a signed-in user
/// confirms a change — goes through <see cref="FailedCheckAsync"/>, so each counts the same toward the same lockout.
/// </summary>
public sealed class AccountSecurity(
    PortalUserManager users,
    PortalSessions sessions,
    LoginThrottle throttle,
    AuditLog audit,
    AccountEmails emails,
    CredentialPortalDbContext db,
    IHttpContextAccessor contextAccessor,
    IOptions<AccountOptions> options)
{
    private HttpContext Http => contextAccessor.HttpContext ?? throw new InvalidOperationException("No current request.");

    /// <summary>What the person is told when their account is locked (it depends on the configured duration).</summary>
    public string LockedOutMessage => AccountMessages.LockedOut(options.Value);

    /// <summary>The audit log's actor for <paramref name="user"/> acting from the current request.</summary>
    public AuditActor ActorFor(PortalUser user) => AuditActors.For(Http, user);

    /// <summary>Counts one attempt against the throttle (this address, and the account if named); false when used up.</summary>
    public bool TryAttempt(string? account) => throttle.TryAcquire(Http, account);

    /// <summary>
    /// A wrong password or code of a known user: audits it as <paramref name="eventType"/> and, unless the account is
    /// locked already, counts it toward the lockout; when that locked the account, the lockout is audited (at
    /// <paramref name="where"/>) and its owner emailed. All in one save. True when the account is locked.
    /// </summary>
    public async Task<bool> FailedCheckAsync(PortalUser user, string eventType, string detail, string where)
    {
        ArgumentNullException.ThrowIfNull(user);
        var actor = ActorFor(user);
        audit.Add(eventType, actor, detail, organisationId: user.OrganisationId);
        var locked = await users.IsLockedOutAsync(user);
        if (!locked && await users.RecordFailureAsync(user))
        {
            locked = true;
            audit.Add(AuditEventTypes.LoginLockedOut, actor, where, organisationId: user.OrganisationId);
            emails.QueueLockoutNotice(user, options.Value.LockoutDuration);
        }

        await db.SaveChangesAsync();
        return locked;
    }

    /// <summary>
    /// Whether the account is locked; an attempt on a locked account is audited (its owner was emailed when it locked).
    /// </summary>
    public async Task<bool> IsLockedOutAsync(PortalUser user, string where)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!await users.IsLockedOutAsync(user))
        {
            return false;
        }

        audit.Add(AuditEventTypes.LoginLockedOut, ActorFor(user), where, organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        return true;
    }

    /// <summary>
    /// The start of checking a signed-in user again before a change to the account: the user, within the sign-in
    /// throttle (otherwise a stolen session could guess the password here without limit, unlike on the sign-in page).
    /// </summary>
    public async Task<Recheck> BeginRecheckAsync()
    {
        if (await users.GetUserAsync(Http.User) is not { } user)
        {
            return new Recheck(RecheckStatus.NotSignedIn);
        }

        return throttle.TryAcquire(Http, user.Email) ? new Recheck(RecheckStatus.Passed, user) : new Recheck(RecheckStatus.Throttled, user);
    }

    /// <summary>The signed-in user's password, checked again (see <see cref="BeginRecheckAsync"/> and <see cref="RecheckFailedAsync"/>).</summary>
    public async Task<Recheck> RecheckPasswordAsync(string? password, string detail, string where)
    {
        var recheck = await BeginRecheckAsync();
        if (recheck is not { Status: RecheckStatus.Passed, User: { } user } || await users.CheckPasswordAsync(user, password ?? ""))
        {
            return recheck;
        }

        return await RecheckFailedAsync(user, AuditEventTypes.LoginFailed, detail, where);
    }

    /// <summary>A failed re-check (<see cref="FailedCheckAsync"/>); when the account is locked, the session ends.</summary>
    public async Task<Recheck> RecheckFailedAsync(PortalUser user, string eventType, string detail, string where)
    {
        if (!await FailedCheckAsync(user, eventType, detail, where))
        {
            return new Recheck(RecheckStatus.Failed, user);
        }

        await sessions.SignOutAsync();
        return new Recheck(RecheckStatus.LockedOut, user);
    }
}

using CredentialPortal.Core;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Account;

public enum SignInStatus
{
    /// <summary>The full session is issued.</summary>
    SignedIn,

    /// <summary>Signed in; the administrator policy asks this administrator to register a passkey next.</summary>
    SignedInPasskeyNeeded,

    /// <summary>The password step is done (a pending sign-in): the second factor is next.</summary>
    SecondFactorNeeded,

    /// <summary>The password step or a link is done (a pending sign-in): authenticator enrolment is next.</summary>
    EnrolmentNeeded,

    /// <summary>Not accepted; <see cref="SignInOutcome.Message"/> says what to tell the person.</summary>
    Failed,

    /// <summary>Too many attempts for this account or from this address in the last minute.</summary>
    Throttled,

    /// <summary>The account is locked; any pending sign-in has ended.</summary>
    LockedOut,

    /// <summary>No pending sign-in to continue (it expired, was never started, or the account changed since).</summary>
    NoPendingSignIn,

    /// <summary>No signed-in user (for a confirmation of the current session).</summary>
    NotSignedIn,
}

/// <summary>
/// The one answer of every sign-in step, which a page maps to what it shows. <see cref="Message"/> is set for
/// <see cref="SignInStatus.Failed"/> and <see cref="SignInStatus.LockedOut"/>.
/// </summary>
public sealed record SignInOutcome(SignInStatus Status, string? Message = null)
{
    /// <summary>After a recovery code: how many the user has left.</summary>
    public int? RecoveryCodesLeft { get; init; }

    /// <summary>After enrolment: the new recovery codes, to be shown once.</summary>
    public IReadOnlyList<string> RecoveryCodes { get; init; } = [];
}

/// <summary>The second factors that complete a pending sign-in.</summary>
public enum SecondFactor
{
    AuthenticatorCode,
    RecoveryCode,
    Passkey,
}

/// <summary>A sign-in waiting for its second step.</summary>
public sealed record PendingSignIn(PortalUser User, bool HasPasskeys);

/// <summary>
/// Signing in to the portal: the password step, the second factor (authenticator code, recovery code or passkey),
/// enrolment of a first authenticator, a passwordless passkey, and a passkey confirmation of the current session.
/// The order of the checks is the security property: without the right password every account state gets the same
/// answer, so that neither an account's existence nor whether it is locked or disabled can be learned by guessing.
/// </summary>
public sealed class PortalSignIn(
    PortalUserManager users,
    PortalSignInManager signIn,
    PortalSessions sessions,
    AccountSecurity security,
    AccountPasskeys passkeys,
    TotpAuthenticator authenticator,
    AccountEmails emails,
    AuditLog audit,
    CredentialPortalDbContext db,
    IHttpContextAccessor contextAccessor,
    IOptions<AccountOptions> account,
    IOptions<PortalOptions> portal)
{
    private HttpContext Http => contextAccessor.HttpContext ?? throw new InvalidOperationException("No current request.");

    /// <summary>The first step. On success a pending sign-in begins, and the outcome names the second step.</summary>
    public async Task<SignInOutcome> PasswordAsync(string email, string password)
    {
        if (!security.TryAttempt(email))
        {
            return new SignInOutcome(SignInStatus.Throttled);
        }

        var user = await users.FindByEmailAsync(email);
        var passwordCorrect = await users.IsPasswordCorrectAsync(user, password);
        if (user is null)
        {
            audit.Add(AuditEventTypes.LoginFailed, AuditActors.Anonymous(Http, email), "unknown email address");
            await db.SaveChangesAsync();
            return SignInFailed();
        }

        // Lockout counting is done here rather than by the sign-in manager, so that parallel attempts all count.
        var lockedOut = await users.IsLockedOutAsync(user);
        if (!passwordCorrect)
        {
            await security.FailedCheckAsync(user, AuditEventTypes.LoginFailed, lockedOut ? "wrong password, account locked" : "wrong password",
                "password step");
            return SignInFailed();
        }

        if (await RefusedAsync(user, "account disabled") is { } refused)
        {
            // Only someone who knows the password learns that the account is disabled, and whom to ask.
            return refused;
        }

        if (await security.IsLockedOutAsync(user, "password step"))
        {
            // The same answer as a wrong password, so that a locked account cannot be used to test passwords.
            return SignInFailed();
        }

        if (!user.TwoFactorEnabled && await users.NeedsEnrolmentLinkAsync(user))
        {
            audit.Add(AuditEventTypes.LoginFailed, security.ActorFor(user), "authenticator reset: enrolment needs the emailed link",
                organisationId: user.OrganisationId);
            await db.SaveChangesAsync();
            return new SignInOutcome(SignInStatus.Failed, AccountMessages.EnrolmentLinkNeeded);
        }

        if (!user.TwoFactorEnabled && string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user)))
        {
            // The enrolment page only reads the key (no state change on GET), so it is made here. This changes the
            // security stamp, so it happens before the pending session records the stamp.
            await users.ResetAuthenticatorKeyAsync(user);
        }

        await sessions.BeginAsync(user);
        return new SignInOutcome(user.TwoFactorEnabled ? SignInStatus.SecondFactorNeeded : SignInStatus.EnrolmentNeeded);
    }

    /// <summary>The sign-in waiting for its second step in this browser, if it is still valid.</summary>
    public async Task<PendingSignIn?> GetPendingAsync() =>
        await sessions.GetPendingUserAsync() is { } user ? new PendingSignIn(user, (await users.GetPasskeysAsync(user)).Count > 0) : null;

    /// <summary>
    /// The second step with <paramref name="factor"/>. A wrong code or passkey counts toward the same lockout as a
    /// wrong password; a locked account loses its pending sign-in.
    /// </summary>
    public async Task<SignInOutcome> SecondFactorAsync(SecondFactor factor, string answer)
    {
        if (await sessions.GetPendingUserAsync() is not { TwoFactorEnabled: true } user)
        {
            return new SignInOutcome(SignInStatus.NoPendingSignIn);
        }

        if (!security.TryAttempt(user.Email))
        {
            return new SignInOutcome(SignInStatus.Throttled);
        }

        var method = factor switch
        {
            SecondFactor.AuthenticatorCode => "authenticator code",
            SecondFactor.RecoveryCode => "recovery code",
            _ => "passkey",
        };
        if (await security.IsLockedOutAsync(user, method))
        {
            await sessions.SignOutAsync();
            return LockedOut();
        }

        var (accepted, failureEvent, failureMessage, codesLeft) = factor switch
        {
            SecondFactor.AuthenticatorCode => await authenticator.CheckAsync(users, user, answer) switch
            {
                TotpCheck.Accepted => (true, "", "", (int?)null),
                TotpCheck.Replayed => (false, AuditEventTypes.MfaReplay, AccountMessages.CodeReplayed, null),
                _ => (false, AuditEventTypes.MfaFailed, AccountMessages.CodeWrong, null),
            },
            SecondFactor.RecoveryCode => await RedeemRecoveryCodeAsync(user, answer),
            _ => await ConfirmPasskeyOfAsync(user, answer)
                ? (true, "", "", null)
                : (false, AuditEventTypes.MfaFailed, AccountMessages.SecondFactorPasskeyWrong, null),
        };
        if (!accepted)
        {
            if (await security.FailedCheckAsync(user, failureEvent, method, method))
            {
                await sessions.SignOutAsync();
                return LockedOut();
            }

            return new SignInOutcome(SignInStatus.Failed, failureMessage);
        }

        var withPasskey = factor == SecondFactor.Passkey;
        await sessions.CompleteAsync(user, withPasskey);
        audit.Add(AuditEventTypes.LoginSucceeded, security.ActorFor(user), method, organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        // The administrator policy: one who has no passkey yet registers one now.
        var passkeyNeeded = !withPasskey && await passkeys.IsRequiredForAsync(user) && (await users.GetPasskeysAsync(user)).Count == 0;
        return new SignInOutcome(passkeyNeeded ? SignInStatus.SignedInPasskeyNeeded : SignInStatus.SignedIn) { RecoveryCodesLeft = codesLeft };
    }

    /// <summary>Request options (JSON) limited to the pending user's passkeys; <c>null</c> without a pending sign-in.</summary>
    public async Task<string?> SecondFactorPasskeyOptionsAsync() =>
        await sessions.GetPendingUserAsync() is { TwoFactorEnabled: true } user ? await signIn.MakePasskeyRequestOptionsAsync(user) : null;

    /// <summary>
    /// The first authenticator: one verified code turns on the second factor, makes the recovery codes (in the
    /// outcome, to be shown once) and completes the sign-in. A wrong code is audited but not counted toward the lockout:
    /// the person has just proved the password or a link.
    /// </summary>
    public async Task<SignInOutcome> EnrolAsync(string code)
    {
        if (await sessions.GetPendingUserAsync() is not { TwoFactorEnabled: false } user)
        {
            return new SignInOutcome(SignInStatus.NoPendingSignIn);
        }

        if (!security.TryAttempt(user.Email))
        {
            return new SignInOutcome(SignInStatus.Throttled);
        }

        var actor = security.ActorFor(user);
        var check = await authenticator.CheckAsync(users, user, code);
        if (check != TotpCheck.Accepted)
        {
            audit.Add(check == TotpCheck.Replayed ? AuditEventTypes.MfaReplay : AuditEventTypes.MfaFailed, actor, "enrolment",
                organisationId: user.OrganisationId);
            await db.SaveChangesAsync();
            return new SignInOutcome(SignInStatus.Failed, AccountMessages.EnrolmentCodeWrong);
        }

        await users.SetTwoFactorEnabledAsync(user, true);
        await users.ClearEnrolmentLinkAsync(user);
        IReadOnlyList<string> recoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCode.CodesPerSet) ?? []];
        audit.Add(AuditEventTypes.MfaEnrolled, actor, organisationId: user.OrganisationId);
        await sessions.CompleteAsync(user);
        audit.Add(AuditEventTypes.LoginSucceeded, actor, "enrolment", organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        return new SignInOutcome(SignInStatus.SignedIn) { RecoveryCodes = recoveryCodes };
    }

    /// <summary>
    /// Whether <paramref name="user"/>'s link emailed after an administrator's authenticator reset still works: while
    /// that reset is open and the account may sign in.
    /// </summary>
    public async Task<bool> IsEnrolmentLinkOpenAsync(PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return !user.TwoFactorEnabled && await users.NeedsEnrolmentLinkAsync(user) && await signIn.CanSignInAsync(user);
    }

    /// <summary>
    /// The password with the enrolment link (checked by the caller): wrong passwords count toward the lockout as at
    /// sign-in. On success a new key is made (no GET changes state; it changes the security stamp, which uses up the
    /// link) and a pending sign-in begins. The requirement for a link stays until enrolment succeeds, so an abandoned
    /// one needs a new reset.
    /// </summary>
    public async Task<SignInOutcome> EnrolmentLinkPasswordAsync(PortalUser user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!security.TryAttempt(user.Email))
        {
            return new SignInOutcome(SignInStatus.Throttled);
        }

        if (await security.IsLockedOutAsync(user, "enrolment link"))
        {
            return LockedOut();
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            return await security.FailedCheckAsync(user, AuditEventTypes.LoginFailed, "wrong password with the enrolment link", "enrolment link")
                ? LockedOut()
                : new SignInOutcome(SignInStatus.Failed, AccountMessages.PasswordWrong);
        }

        await users.ResetAuthenticatorKeyAsync(user);
        await sessions.BeginAsync(user);
        return new SignInOutcome(SignInStatus.EnrolmentNeeded);
    }

    /// <summary>Request options (JSON) for a discoverable passkey, no user named yet; <c>null</c> when throttled.</summary>
    public async Task<string?> PasswordlessOptionsAsync() =>
        security.TryAttempt(null) ? await signIn.MakePasskeyRequestOptionsAsync(null) : null;

    /// <summary>
    /// Passwordless: a passkey with user verification is two factors in one (the device, and its screen lock), so it
    /// completes the sign-in on its own, with the same account checks as the password path.
    /// </summary>
    public async Task<SignInOutcome> PasswordlessAsync(string? credentialJson)
    {
        if (!security.TryAttempt(null))
        {
            return new SignInOutcome(SignInStatus.Throttled);
        }

        var result = string.IsNullOrEmpty(credentialJson) ? null : await signIn.PerformPasskeyAssertionAsync(credentialJson);
        if (result is not { Succeeded: true })
        {
            audit.Add(AuditEventTypes.LoginFailed, AuditActors.Anonymous(Http, null),
                $"passkey not accepted: {result?.Failure?.Message ?? "no answer from the browser"}");
            await db.SaveChangesAsync();
            return new SignInOutcome(SignInStatus.Failed, AccountMessages.PasskeyNotAccepted);
        }

        var user = result.User;
        if (await RefusedAsync(user, "passkey: account disabled") is { } refused)
        {
            return refused;
        }

        if (await security.IsLockedOutAsync(user, "passkey"))
        {
            return LockedOut();
        }

        await users.AddOrUpdatePasskeyAsync(user, result.Passkey);
        await sessions.CompleteAsync(user, withPasskey: true);
        audit.Add(AuditEventTypes.LoginSucceeded, security.ActorFor(user), "passkey (passwordless)", organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        return new SignInOutcome(SignInStatus.SignedIn);
    }

    /// <summary>Request options (JSON) limited to the signed-in user's passkeys; <c>null</c> when no one is signed in.</summary>
    public async Task<string?> ConfirmationOptionsAsync() =>
        await users.GetUserAsync(Http.User) is { } user ? await signIn.MakePasskeyRequestOptionsAsync(user) : null;

    /// <summary>
    /// Step-up for the administrator policy: the signed-in user confirms with one of their passkeys and the session is
    /// issued again as a passkey session (<c>amr=pop</c>). A passkey not theirs is a failed re-check.
    /// </summary>
    public async Task<SignInOutcome> ConfirmWithPasskeyAsync(string credentialJson)
    {
        var recheck = await security.BeginRecheckAsync();
        if (recheck is not { Status: RecheckStatus.Passed, User: { } user })
        {
            return new SignInOutcome(recheck.Status == RecheckStatus.Throttled ? SignInStatus.Throttled : SignInStatus.NotSignedIn);
        }

        if (!await ConfirmPasskeyOfAsync(user, credentialJson))
        {
            var failed = await security.RecheckFailedAsync(user, AuditEventTypes.MfaFailed, "passkey confirmation", "passkey confirmation");
            return failed.Status == RecheckStatus.LockedOut ? LockedOut() : new SignInOutcome(SignInStatus.Failed, AccountMessages.ConfirmationPasskeyWrong);
        }

        await sessions.CompleteAsync(user, withPasskey: true);
        audit.Add(AuditEventTypes.LoginSucceeded, security.ActorFor(user), "passkey (confirmation)", organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        return new SignInOutcome(SignInStatus.SignedIn);
    }

    /// <summary>
    /// Whether the browser's answer is one of <paramref name="user"/>'s passkeys (the ceremony names the user, so
    /// Identity refuses another user's credential); its new signature counter is stored.
    /// </summary>
    private async Task<bool> ConfirmPasskeyOfAsync(PortalUser user, string credentialJson)
    {
        if (string.IsNullOrEmpty(credentialJson))
        {
            return false;
        }

        var result = await signIn.PerformPasskeyAssertionAsync(credentialJson);
        if (!result.Succeeded || result.User.Id != user.Id)
        {
            return false;
        }

        await users.AddOrUpdatePasskeyAsync(user, result.Passkey);
        return true;
    }

    /// <summary>Each code works once: Identity removes it; the user's concurrency stamp settles two racing redemptions.</summary>
    private async Task<(bool, string, string, int?)> RedeemRecoveryCodeAsync(PortalUser user, string typed)
    {
        if (!(await users.RedeemTwoFactorRecoveryCodeAsync(user, RecoveryCode.Normalise(typed))).Succeeded)
        {
            return (false, AuditEventTypes.MfaFailed, AccountMessages.RecoveryCodeWrong, null);
        }

        var left = await users.CountRecoveryCodesAsync(user);
        audit.Add(AuditEventTypes.RecoveryCodeUsed, security.ActorFor(user), $"{left} recovery codes left", organisationId: user.OrganisationId);
        emails.QueueRecoveryCodeUsed(user, left);
        return (true, "", "", left);
    }

    /// <summary>The account may not sign in: audited, and the outcome says why and whom to ask.</summary>
    private async Task<SignInOutcome?> RefusedAsync(PortalUser user, string detail)
    {
        if (await signIn.CanSignInAsync(user))
        {
            return null;
        }

        audit.Add(AuditEventTypes.LoginFailed, security.ActorFor(user), detail, organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        return new SignInOutcome(SignInStatus.Failed, AccountMessages.Refused(await signIn.RefusalAsync(user), portal.Value.AdministratorsEmail));
    }

    private SignInOutcome SignInFailed() => new(SignInStatus.Failed, AccountMessages.SignInFailure(account.Value));

    private SignInOutcome LockedOut() => new(SignInStatus.LockedOut, security.LockedOutMessage);
}

using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;

namespace CredentialPortal.Web.Account;

public enum AccountChangeStatus
{
    Done,

    /// <summary>No signed-in user.</summary>
    NotSignedIn,

    /// <summary>Too many password checks for this account or from this address in the last minute.</summary>
    Throttled,

    /// <summary>The password given to confirm the change was wrong (counted toward the lockout).</summary>
    PasswordWrong,

    /// <summary>The account is locked: the session has ended.</summary>
    LockedOut,

    /// <summary>The change is not allowed or not valid; <see cref="AccountChange.Problems"/> says why.</summary>
    Refused,

    /// <summary>The passkey named is not one of the user's.</summary>
    NotFound,
}

/// <summary>The answer of a change to an account, with what the page shows afterwards.</summary>
public sealed record AccountChange(AccountChangeStatus Status)
{
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>New recovery codes, to be shown once.</summary>
    public IReadOnlyList<string> RecoveryCodes { get; init; } = [];

    /// <summary>The passkey creation options for the browser (JSON).</summary>
    public string? PasskeyOptionsJson { get; init; }

    /// <summary>The name of the passkey added, renamed or removed.</summary>
    public string? PasskeyName { get; init; }

    /// <summary>
    /// After adding a passkey under the administrator policy in a session signed in with a code: the session confirms
    /// with the new passkey next.
    /// </summary>
    public bool ConfirmWithPasskeyNext { get; init; }

    public static AccountChange Refused(params IEnumerable<string> problems) => new(AccountChangeStatus.Refused) { Problems = [.. problems] };
}

/// <summary>
/// Changes people make to their own account: the password (signed in, from an invitation, or from a reset link),
/// the authenticator, recovery codes, passkeys, and ending every session. Changes to a factor need the password again;
/// each change is audited, and the owner is emailed about those that an intruder would make.
/// </summary>
public sealed class AccountChanges(
    PortalUserManager users,
    PortalSignInManager signIn,
    PortalSessions sessions,
    AccountSecurity security,
    AccountPasskeys passkeys,
    AccountEmails emails,
    AuditLog audit,
    CredentialPortalDbContext db,
    IHttpContextAccessor contextAccessor)
{
    private HttpContext Http => contextAccessor.HttpContext ?? throw new InvalidOperationException("No current request.");

    /// <summary>
    /// A new password with the current one; a wrong current password counts like a wrong one at sign-in. The new
    /// security stamp ends the user's other sessions; this one is issued again.
    /// </summary>
    public async Task<AccountChange> ChangePasswordAsync(string currentPassword, string newPassword)
    {
        var recheck = await security.BeginRecheckAsync();
        if (recheck is not { Status: RecheckStatus.Passed, User: { } user })
        {
            return NotRechecked(recheck);
        }

        var result = await users.ChangePasswordAsync(user, currentPassword, newPassword);
        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch)))
        {
            return NotRechecked(await security.RecheckFailedAsync(user, AuditEventTypes.LoginFailed,
                "wrong current password when changing the password", "password change"), AccountMessages.CurrentPasswordWrong);
        }

        if (!result.Succeeded)
        {
            return AccountChange.Refused(result.Errors.Select(e => e.Description));
        }

        audit.Add(AuditEventTypes.PasswordChanged, security.ActorFor(user), organisationId: user.OrganisationId);
        emails.QueuePasswordChanged(user, "on the account page, signed in");
        await db.SaveChangesAsync();
        await sessions.CompleteAsync(user);
        return new AccountChange(AccountChangeStatus.Done);
    }

    /// <summary>
    /// A new authenticator (new phone), with the password: the old key and all recovery codes stop working, every
    /// session ends (this one too), and the new one is set up from a link emailed now, as after an administrator's
    /// reset: a password alone, perhaps a stolen one, does not lead to enrolment. Passkeys stay.
    /// </summary>
    public async Task<AccountChange> ResetAuthenticatorAsync(string password)
    {
        var recheck = await security.RecheckPasswordAsync(password, "wrong password when resetting the authenticator", "authenticator reset");
        if (recheck is not { Status: RecheckStatus.Passed, User: { } user })
        {
            return NotRechecked(recheck);
        }

        await users.ResetAuthenticatorAsync(user);
        audit.Add(AuditEventTypes.MfaReset, security.ActorFor(user), "by the user", organisationId: user.OrganisationId);
        await emails.QueueAuthenticatorResetAsync(user, resetBy: null);
        await db.SaveChangesAsync();
        await sessions.SignOutAsync();
        return new AccountChange(AccountChangeStatus.Done);
    }

    /// <summary>A new set of recovery codes (in the answer, to be shown once); the old ones stop working.</summary>
    public async Task<AccountChange> RegenerateRecoveryCodesAsync()
    {
        if (await users.GetUserAsync(Http.User) is not { } user)
        {
            return new AccountChange(AccountChangeStatus.NotSignedIn);
        }

        IReadOnlyList<string> codes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCode.CodesPerSet) ?? []];
        audit.Add(AuditEventTypes.RecoveryCodesRegenerated, security.ActorFor(user), organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        return new AccountChange(AccountChangeStatus.Done) { RecoveryCodes = codes };
    }

    /// <summary>A new security stamp: every session cookie of the user stops working on its next request, this one included.</summary>
    public async Task<AccountChange> SignOutEverywhereAsync()
    {
        if (await users.GetUserAsync(Http.User) is not { } user)
        {
            return new AccountChange(AccountChangeStatus.NotSignedIn);
        }

        await users.UpdateSecurityStampAsync(user);
        audit.Add(AuditEventTypes.SignedOutEverywhere, security.ActorFor(user), organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        await sessions.SignOutAsync();
        return new AccountChange(AccountChangeStatus.Done);
    }

    /// <summary>Whether an invitation to <paramref name="user"/> can still be accepted: no password yet, and the account may sign in.</summary>
    public async Task<bool> IsInvitationOpenAsync(PortalUser user) =>
        !await users.HasPasswordAsync(user) && await signIn.CanSignInAsync(user);

    /// <summary>
    /// The invited person's first password (the link was checked by the caller). Setting it changes the security
    /// stamp, which uses up the link; a key is made for enrolment (no GET changes state) and a pending sign-in begins.
    /// </summary>
    public async Task<AccountChange> AcceptInvitationAsync(PortalUser user, string password)
    {
        ArgumentNullException.ThrowIfNull(user);
        var result = await users.AddPasswordAsync(user, password);
        if (!result.Succeeded)
        {
            return AccountChange.Refused(result.Errors.Select(e => e.Description));
        }

        user.EmailConfirmed = true;
        await users.UpdateAsync(user);
        await users.ResetAuthenticatorKeyAsync(user);
        audit.Add(AuditEventTypes.InvitationAccepted, security.ActorFor(user), organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        await sessions.BeginAsync(user);
        return new AccountChange(AccountChangeStatus.Done);
    }

    /// <summary>
    /// Queues a reset link when <paramref name="email"/> belongs to an account that may sign in and has a password.
    /// The answer is the same either way (and queuing, not sending, keeps its timing the same), so that the form
    /// cannot be used to discover accounts.
    /// </summary>
    public async Task<AccountChange> RequestPasswordResetAsync(string email)
    {
        if (!security.TryAttempt(email))
        {
            return new AccountChange(AccountChangeStatus.Throttled);
        }

        var user = await users.FindByEmailAsync(email);
        if (user is not null && await users.HasPasswordAsync(user) && await signIn.CanSignInAsync(user))
        {
            await emails.QueuePasswordResetAsync(user);
            await db.SaveChangesAsync(Http.RequestAborted);
        }

        return new AccountChange(AccountChangeStatus.Done);
    }

    /// <summary>
    /// A new password from a reset link (checked by the caller). Identity's own reset token is only the means to set
    /// it; the new security stamp makes this link and every open session stop working.
    /// </summary>
    public async Task<AccountChange> ResetPasswordAsync(PortalUser user, string newPassword)
    {
        ArgumentNullException.ThrowIfNull(user);
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var result = await users.ResetPasswordAsync(user, token, newPassword);
        if (!result.Succeeded)
        {
            return AccountChange.Refused(result.Errors.Select(e => e.Description));
        }

        audit.Add(AuditEventTypes.PasswordReset, security.ActorFor(user), "with an emailed link", organisationId: user.OrganisationId);
        emails.QueuePasswordChanged(user, "with an emailed reset link");
        await db.SaveChangesAsync();
        return new AccountChange(AccountChangeStatus.Done);
    }

    /// <summary>
    /// Step one of adding a passkey: the password again, then the creation options. Under the administrator policy a
    /// session signed in with a code may register the first passkey, not add more: else a phished code would be
    /// enough to add the phisher's own passkey.
    /// </summary>
    public async Task<AccountChange> PasskeyCreationOptionsAsync(string? password)
    {
        var recheck = await security.RecheckPasswordAsync(password, "wrong password when adding a passkey", "adding a passkey");
        if (recheck is not { Status: RecheckStatus.Passed, User: { } user })
        {
            return NotRechecked(recheck);
        }

        if (await passkeys.IsRequiredForAsync(user) && (await passkeys.ListAsync(user)).Count > 0 && !PortalSessions.IsPhishingResistant(Http.User))
        {
            return AccountChange.Refused("Sign in with one of your passkeys to add another one.");
        }

        var options = await signIn.MakePasskeyCreationOptionsAsync(new PasskeyUserEntity
        {
            Id = await users.GetUserIdAsync(user),
            Name = user.Email ?? "",
            DisplayName = user.DisplayName,
        });
        return new AccountChange(AccountChangeStatus.Done) { PasskeyOptionsJson = options };
    }

    /// <summary>
    /// Step two: the browser's answer is checked (challenge, origin, relying party, and that it was made for this
    /// user) and the passkey stored under <paramref name="name"/>.
    /// </summary>
    public async Task<AccountChange> RegisterPasskeyAsync(string name, string credentialJson)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrEmpty(credentialJson);
        if (await users.GetUserAsync(Http.User) is not { } user)
        {
            return new AccountChange(AccountChangeStatus.NotSignedIn);
        }

        var attestation = await signIn.PerformPasskeyAttestationAsync(credentialJson);
        if (!attestation.Succeeded || attestation.UserEntity.Id != await users.GetUserIdAsync(user))
        {
            return AccountChange.Refused("The passkey could not be registered" + (attestation.Succeeded ? "." : $": {attestation.Failure.Message}") + " Try again.");
        }

        var passkey = attestation.Passkey;
        passkey.Name = name.Trim();
        if (!(await users.AddOrUpdatePasskeyAsync(user, passkey)).Succeeded)
        {
            return AccountChange.Refused("The passkey could not be saved. Try again.");
        }

        var signedInWithCode = await passkeys.IsRequiredForAsync(user) && !PortalSessions.IsPhishingResistant(Http.User);
        audit.Add(signedInWithCode ? AuditEventTypes.PasskeyAddedWithCode : AuditEventTypes.PasskeyAdded, security.ActorFor(user), passkey.Name,
            organisationId: user.OrganisationId);
        emails.QueuePasskeyChanged(user, passkey.Name, added: true, signedInWithCode);
        await db.SaveChangesAsync();
        return new AccountChange(AccountChangeStatus.Done) { PasskeyName = passkey.Name, ConfirmWithPasskeyNext = signedInWithCode };
    }

    public async Task<AccountChange> RenamePasskeyAsync(string? passkeyId, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (await users.GetUserAsync(Http.User) is not { } user)
        {
            return new AccountChange(AccountChangeStatus.NotSignedIn);
        }

        if (await passkeys.FindAsync(user, passkeyId) is not { } passkey)
        {
            return new AccountChange(AccountChangeStatus.NotFound);
        }

        var before = passkey.Name;
        passkey.Name = name.Trim();
        await users.AddOrUpdatePasskeyAsync(user, passkey);
        audit.Add(AuditEventTypes.PasskeyRenamed, security.ActorFor(user), $"{before} → {passkey.Name}", organisationId: user.OrganisationId);
        await db.SaveChangesAsync();
        return new AccountChange(AccountChangeStatus.Done) { PasskeyName = passkey.Name };
    }

    /// <summary>
    /// Removing a factor is an MFA change: allowed only when a second factor remains (<see cref="AccountPasskeys.WhyNotRemovableAsync"/>),
    /// and with the password again, failures counting toward the lockout.
    /// </summary>
    public async Task<AccountChange> RemovePasskeyAsync(string? passkeyId, string? password)
    {
        var recheck = await security.BeginRecheckAsync();
        if (recheck is not { Status: RecheckStatus.Passed, User: { } user })
        {
            return NotRechecked(recheck);
        }

        if (await passkeys.FindAsync(user, passkeyId) is not { } passkey)
        {
            return new AccountChange(AccountChangeStatus.NotFound);
        }

        if (await passkeys.WhyNotRemovableAsync(user) is { } refusal)
        {
            return AccountChange.Refused(refusal);
        }

        if (!await users.CheckPasswordAsync(user, password ?? ""))
        {
            return NotRechecked(await security.RecheckFailedAsync(user, AuditEventTypes.LoginFailed,
                "wrong password when removing a passkey", "removing a passkey"));
        }

        await users.RemovePasskeyAsync(user, passkey.CredentialId);
        var name = passkey.Name ?? "Passkey";
        audit.Add(AuditEventTypes.PasskeyRemoved, security.ActorFor(user), name, organisationId: user.OrganisationId);
        emails.QueuePasskeyChanged(user, name, added: false);
        await db.SaveChangesAsync();
        return new AccountChange(AccountChangeStatus.Done) { PasskeyName = name };
    }

    /// <summary>A re-check that did not pass, as a change's answer; the problem is what to tell the person.</summary>
    private AccountChange NotRechecked(Recheck recheck, string passwordWrong = AccountMessages.PasswordWrong) => recheck.Status switch
    {
        RecheckStatus.NotSignedIn => new AccountChange(AccountChangeStatus.NotSignedIn),
        RecheckStatus.Throttled => new AccountChange(AccountChangeStatus.Throttled) { Problems = [AccountMessages.ThrottledMessage] },
        RecheckStatus.LockedOut => new AccountChange(AccountChangeStatus.LockedOut) { Problems = [security.LockedOutMessage] },
        RecheckStatus.Failed => new AccountChange(AccountChangeStatus.PasswordWrong) { Problems = [passwordWrong] },
        _ => throw new ArgumentOutOfRangeException(nameof(recheck), recheck.Status, "A passed re-check is not a refusal."),
    };
}

using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Core.Webhooks;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Administration;

/// <summary>What an administrator's action on a user came to: the message to show, or that there is no such user.</summary>
public sealed record UserActionResult(bool Found, string Message)
{
    public static readonly UserActionResult NotFound = new(false, "");
}

/// <summary>What an administrator can do to a user with one button (<see cref="UserAdministration.ApplyAsync"/>).</summary>
public enum UserAction
{
    Disable,
    Enable,
    Unlock,
    ResetAuthenticator,
    MakeAdministrator,
    RemoveAdministrator,
    ResendInvitation,
}

/// <summary>The outcome of editing or deleting a user: errors per field ("" for the whole form), or the message to show.</summary>
public sealed record UserEditResult(IReadOnlyList<(string Field, string Message)> Errors, string? Message)
{
    public bool Succeeded => Errors.Count == 0;

    public static UserEditResult Refused(string field, string message) => new([(field, message)], null);
}

/// <summary>
/// The administrators' actions on users (docs/rules.md#roles): disable, enable, unlock, reset the authenticator, grant or
/// revoke the administrator role, resend an invitation. Each runs in one transaction with its audit event and email,
/// and renews the security stamp where it must, so that it takes effect on that user's next request.
/// </summary>
public sealed class UserAdministration(
    CredentialPortalDbContext db,
    UserManager<PortalUser> users,
    AuditLog audit,
    IAdministrationEmails emails,
    WebhookRegistrarNotice webhooks,
    IOptions<PortalOptions> portal,
    TimeProvider time)
{
    public const string LastAdministrator = "This is the last active administrator: make someone else administrator first.";

    /// <summary>Applies <paramref name="action"/> to the user, in one transaction with its audit event and email.</summary>
    public Task<UserActionResult> ApplyAsync(Guid userId, UserAction action, AuditActor actor, CancellationToken cancellationToken = default) =>
        ActAsync(userId, actor, action is UserAction.Disable or UserAction.RemoveAdministrator, user => action switch
        {
            UserAction.Disable => DisableAsync(user, actor, cancellationToken),
            UserAction.Enable => EnableAsync(user, actor),
            UserAction.Unlock => UnlockAsync(user, actor),
            UserAction.ResetAuthenticator => ResetAuthenticatorAsync(user, actor),
            UserAction.MakeAdministrator => MakeAdministratorAsync(user, actor),
            UserAction.RemoveAdministrator => RemoveAdministratorAsync(user, actor, cancellationToken),
            UserAction.ResendInvitation => ResendInvitationAsync(user, actor, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
        }, cancellationToken);

    private async Task<string> DisableAsync(PortalUser user, AuditActor actor, CancellationToken cancellationToken)
    {
        if (user.Id == actor.UserId)
        {
            return "You cannot disable yourself.";
        }

        if (await IsLastAdministratorAsync(user, cancellationToken))
        {
            return LastAdministrator;
        }

        user.IsDisabled = true;
        await users.UpdateSecurityStampAsync(user);
        audit.Add(AuditEventTypes.UserDisabled, actor, user.Email, organisationId: user.OrganisationId);
        emails.QueueAccountNotice(user, UserAction.Disable, actor.Name);
        // A disabled user manages nothing: the applications' remaining managers hear about the endpoints they registered.
        var managed = await db.CredentialManagers.Where(m => m.UserId == user.Id).Select(m => m.ApplicationId).ToListAsync(cancellationToken);
        await webhooks.QueueAsync(user, managed, actor, cancellationToken);
        return $"{user.Email} is disabled and signed out.";
    }

    private async Task<string> EnableAsync(PortalUser user, AuditActor actor)
    {
        user.IsDisabled = false;
        await users.UpdateAsync(user);
        audit.Add(AuditEventTypes.UserEnabled, actor, user.Email, organisationId: user.OrganisationId);
        emails.QueueAccountNotice(user, UserAction.Enable, actor.Name);
        return $"{user.Email} is enabled.";
    }

    private async Task<string> UnlockAsync(PortalUser user, AuditActor actor)
    {
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        audit.Add(AuditEventTypes.UserUnlocked, actor, user.Email, organisationId: user.OrganisationId);
        emails.QueueAccountNotice(user, UserAction.Unlock, actor.Name);
        return $"{user.Email} is unlocked.";
    }

    private async Task<string> ResetAuthenticatorAsync(PortalUser user, AuditActor actor)
    {
        // Passkeys go too: the administrator acts for someone who lost their devices. A reset again sends a fresh link.
        var passkeys = await db.UserPasskeys.Where(p => p.UserId == user.Id).ToListAsync();
        db.UserPasskeys.RemoveRange(passkeys);
        var hadFactors = user.TwoFactorEnabled || passkeys.Count > 0;
        await users.ResetAuthenticatorAsync(user);
        audit.Add(AuditEventTypes.MfaReset, actor, $"{user.Email}, by an administrator", organisationId: user.OrganisationId);
        await emails.QueueAuthenticatorResetAsync(user, actor.Name);
        return hadFactors
            ? $"The authenticator of {user.Email} is reset: they were emailed a link to set up a new one."
            : $"{user.Email} had not set up an authenticator yet: they were emailed a link to set one up.";
    }

    /// <summary>
    /// Why a user of this organisation may not be made administrator, or null when they may: an administrator
    /// administers every organisation, so a partner organisation's users qualify only where the operator allows it.
    /// </summary>
    public string? AdministratorRefusal(string organisationName, bool isOperator) =>
        isOperator || portal.Value.AllowPartnerAdministrators
            ? null
            : $"{organisationName} is a partner organisation: administrators administer every organisation, so only the operating "
              + "organisation's users can be made administrator (an operator can allow partners' users with Portal:AllowPartnerAdministrators).";

    private async Task<string> MakeAdministratorAsync(PortalUser user, AuditActor actor)
    {
        if (await users.IsInRoleAsync(user, PortalRole.Administrator))
        {
            return $"{user.Email} is already an administrator.";
        }

        var organisation = await db.Organisations.Where(o => o.Id == user.OrganisationId).Select(o => new { o.Name, o.IsOperator }).SingleAsync();
        if (AdministratorRefusal(organisation.Name, organisation.IsOperator) is { } refusal)
        {
            return $"{user.Email} was not made administrator: {refusal}";
        }

        await users.AddToRoleAsync(user, PortalRole.Administrator);
        audit.Add(AuditEventTypes.RoleGranted, actor, $"administrator: {user.Email}", organisationId: user.OrganisationId);
        emails.QueueAccountNotice(user, UserAction.MakeAdministrator, actor.Name);
        return $"{user.Email} is now an administrator.";
    }

    private async Task<string> RemoveAdministratorAsync(PortalUser user, AuditActor actor, CancellationToken cancellationToken)
    {
        if (!await users.IsInRoleAsync(user, PortalRole.Administrator))
        {
            return $"{user.Email} is not an administrator.";
        }

        if (await IsLastAdministratorAsync(user, cancellationToken))
        {
            return LastAdministrator;
        }

        // Roles are reloaded on every request, so the change applies to open sessions at once.
        await users.RemoveFromRoleAsync(user, PortalRole.Administrator);
        audit.Add(AuditEventTypes.RoleRevoked, actor, $"administrator: {user.Email}", organisationId: user.OrganisationId);
        emails.QueueAccountNotice(user, UserAction.RemoveAdministrator, actor.Name);
        return $"{user.Email} is no longer an administrator.";
    }

    private async Task<string> ResendInvitationAsync(PortalUser user, AuditActor actor, CancellationToken cancellationToken)
    {
        if (await users.HasPasswordAsync(user))
        {
            return $"{user.Email} has already accepted the invitation.";
        }

        // A new stamp invalidates the earlier link; the new one goes out now.
        user.InvitedAt = time.GetUtcNow().UtcDateTime;
        await users.UpdateSecurityStampAsync(user);
        audit.Add(AuditEventTypes.InvitationSent, actor, $"{user.Email} (again)", organisationId: user.OrganisationId);
        var organisation = await db.Organisations.Where(o => o.Id == user.OrganisationId).Select(o => o.Name).SingleAsync(cancellationToken);
        var applications = await db.CredentialManagers.Where(m => m.UserId == user.Id)
            .Select(m => m.Application.Name).Order().ToListAsync(cancellationToken);
        await emails.QueueInvitationAsync(user, organisation, actor.Name, applications);
        return $"A new invitation was sent to {user.Email}; the earlier link no longer works.";
    }

    /// <summary>
    /// Changes the email address (also the sign-in name) and the name. Both address setters renew the security stamp, so
    /// an invitation link sent to the old address stops working and open sessions end. Errors name the field: "Email" or "".
    /// </summary>
    public async Task<UserEditResult> UpdateAsync(PortalUser user, string email, string displayName, AuditActor actor)
    {
        ArgumentNullException.ThrowIfNull(user);
        email = email.Trim();
        displayName = displayName.Trim();
        if (await users.FindByEmailAsync(email) is { } other && other.Id != user.Id)
        {
            return UserEditResult.Refused("Email", "Another user already has this email address.");
        }

        var changes = new List<string>();
        if (!string.Equals(user.Email, email, StringComparison.Ordinal))
        {
            changes.Add($"email {user.Email} → {email}");
            if ((Refusal(await users.SetEmailAsync(user, email)) ?? Refusal(await users.SetUserNameAsync(user, email))) is { } refused)
            {
                return refused;
            }

            // An administrator vouches for the address, as when inviting.
            user.EmailConfirmed = true;
        }

        if (!string.Equals(user.DisplayName, displayName, StringComparison.Ordinal))
        {
            changes.Add($"name {user.DisplayName} → {displayName}");
            user.DisplayName = displayName;
        }

        if (changes.Count == 0)
        {
            return new UserEditResult([], "Nothing changed.");
        }

        // Added before the user manager's save, which then commits the change and its audit event together.
        audit.Add(AuditEventTypes.UserChanged, actor, string.Join("; ", changes), organisationId: user.OrganisationId);
        return Refusal(await users.UpdateAsync(user)) ?? new UserEditResult([],
            user.PasswordHash is null && changes.Exists(c => c.StartsWith("email", StringComparison.Ordinal))
                ? $"{user.Email} saved. The earlier invitation link no longer works: resend the invitation."
                : $"{user.Email} saved.");
    }

    /// <summary>Only a user who never signed in can be deleted; the others have a history and are disabled instead.</summary>
    public static bool CanDelete(PortalUser user, Guid? currentUserId)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.LastSignInAt is null && user.Id != currentUserId;
    }

    /// <summary>Deletes a user who never signed in, with their assignments, roles and tokens (cascading foreign keys).</summary>
    public async Task<UserEditResult> DeleteAsync(PortalUser user, AuditActor actor)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(actor);
        if (!CanDelete(user, actor.UserId))
        {
            return UserEditResult.Refused("", user.Id == actor.UserId
                ? "You cannot delete yourself."
                : $"{user.Email} has signed in before: disable the user instead, so that their history keeps a name.");
        }

        audit.Add(AuditEventTypes.UserDeleted, actor, $"{user.Email} ({user.DisplayName}), never signed in", organisationId: user.OrganisationId);
        return Refusal(await users.DeleteAsync(user)) ?? new UserEditResult([], $"{user.Email} is deleted.");
    }

    private static UserEditResult? Refusal(IdentityResult result) => result.Succeeded ? null : new UserEditResult(
        result.Errors.Select(e => (e.Code.Contains("Email", StringComparison.Ordinal) || e.Code.Contains("UserName", StringComparison.Ordinal)
            ? "Email" : "", e.Description)).ToList(), null);

    /// <summary>The Administrator role's id (looked up by Identity's normalized name, as the role manager does).</summary>
    public Task<Guid> AdministratorRoleIdAsync(CancellationToken cancellationToken = default) =>
        db.Roles.Where(r => r.NormalizedName == PortalRole.AdministratorKey).Select(r => r.Id).SingleOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Loads the user, runs the action (which returns the message to show) and commits it all at once. An action that
    /// may leave one administrator fewer first writes the Administrator role's row: that row lock (PostgreSQL) or the
    /// write lock (SQLite) makes two such actions wait for each other, so the second one's "is someone else still an
    /// administrator" check sees the first one's change, and two administrators disabling or demoting each other at
    /// the same moment cannot leave none.
    /// </summary>
    private async Task<UserActionResult> ActAsync(Guid userId, AuditActor actor, bool mayRemoveAdministrator,
        Func<PortalUser, Task<string>> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        // The user manager saves after each of its steps; the transaction makes them, the audit event and the email one commit.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (mayRemoveAdministrator)
        {
            await db.Roles.Where(r => r.NormalizedName == PortalRole.AdministratorKey)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.ConcurrencyStamp, r => r.ConcurrencyStamp), cancellationToken);
        }

        if (await users.FindByIdAsync(userId.ToString()) is not { } user)
        {
            return UserActionResult.NotFound;
        }

        var message = await action(user);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new UserActionResult(true, message);
    }

    private async Task<bool> IsLastAdministratorAsync(PortalUser user, CancellationToken cancellationToken)
    {
        var roleId = await AdministratorRoleIdAsync(cancellationToken);
        var others = await db.UserRoles.CountAsync(r => r.RoleId == roleId && r.UserId != user.Id
            && db.Users.Any(u => u.Id == r.UserId && !u.IsDisabled), cancellationToken);
        return others == 0 && await users.IsInRoleAsync(user, PortalRole.Administrator);
    }
}

using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Administration;

/// <summary>The outcome of an invitation: refusals per field ("Email", "DisplayName", "OrganisationId", "ApplicationIds"), or the invited user.</summary>
public sealed record InvitationResult(PortalUser? User, IReadOnlyList<(string Field, string Message)> Errors, Guid? PendingUserId = null)
{
    public bool Succeeded => User is not null;

    public static InvitationResult Refused(string field, string message, Guid? pendingUserId = null) => new(null, [(field, message)], pendingUserId);
}

/// <summary>
/// Invites a person (docs/rules.md#roles): creates the user without a password, optionally makes them credential manager
/// of applications of their organisation, and emails a one-time link, all in one transaction. Inviting an address again
/// whose invitation was not accepted yet sends a fresh link and makes the earlier one invalid.
/// </summary>
public sealed class Invitations(CredentialPortalDbContext db, UserManager<PortalUser> users, IAdministrationEmails emails, AuditLog audit, TimeProvider time)
{
    public async Task<InvitationResult> InviteAsync(string email, string displayName, int organisationId, IReadOnlyCollection<int> applicationIds,
        AuditActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(applicationIds);
        ArgumentNullException.ThrowIfNull(actor);
        email = email.Trim();
        displayName = displayName.Trim();
        var organisation = await db.Organisations.SingleOrDefaultAsync(o => o.Id == organisationId && o.IsActive, cancellationToken);
        if (organisation is null)
        {
            return InvitationResult.Refused("OrganisationId", "Choose an active organisation.");
        }

        var wanted = applicationIds.Distinct().ToList();
        if (wanted.Count > 0
            && await db.Applications.CountAsync(a => wanted.Contains(a.Id) && a.OrganisationId == organisation.Id, cancellationToken) != wanted.Count)
        {
            return InvitationResult.Refused("ApplicationIds", "A user can manage only applications of their own organisation.");
        }

        var user = await users.FindByEmailAsync(email);
        if (user is not null && (await users.HasPasswordAsync(user) || user.OrganisationId != organisation.Id))
        {
            return InvitationResult.Refused("Email", "A user with this email address already exists.");
        }

        // Inviting again must not silently rename someone: a different name is more likely a different person.
        if (user is not null && !string.Equals(PlainText.CollapseWhitespace(user.DisplayName), PlainText.CollapseWhitespace(displayName), StringComparison.OrdinalIgnoreCase))
        {
            return InvitationResult.Refused("DisplayName", $"{user.Email} was already invited as {user.DisplayName}. To send a new link, " +
                "invite with that name (or resend the invitation from the users list); to correct the name or address, edit the user.", user.Id);
        }

        // The user manager saves after each step; the transaction makes the user, the roles, the audit and the email one commit.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        if (user is null)
        {
            user = new PortalUser { UserName = email, Email = email, DisplayName = displayName, OrganisationId = organisation.Id, CreatedAt = now, InvitedAt = now };
            var created = await users.CreateAsync(user);
            if (!created.Succeeded)
            {
                return new InvitationResult(null, created.Errors.Select(e => ("Email", e.Description)).ToList());
            }

            audit.Add(AuditEventTypes.UserCreated, actor, $"{user.Email} invited", organisationId: organisation.Id);
        }
        else
        {
            // A repeated invitation: a new stamp makes the earlier link invalid.
            user.DisplayName = displayName;
            user.InvitedAt = now;
            await users.UpdateSecurityStampAsync(user);
        }

        var alreadyManaged = await db.CredentialManagers.Where(m => m.UserId == user.Id).Select(m => m.ApplicationId).ToListAsync(cancellationToken);
        foreach (var applicationId in wanted.Except(alreadyManaged))
        {
            db.CredentialManagers.Add(new CredentialManagerAssignment { UserId = user.Id, ApplicationId = applicationId, AssignedAt = now, AssignedBy = actor.Name });
            audit.Add(AuditEventTypes.RoleGranted, actor, $"credential manager: {user.Email}", organisationId: organisation.Id, applicationId: applicationId);
        }

        audit.Add(AuditEventTypes.InvitationSent, actor, user.Email, organisationId: organisation.Id);
        var managed = alreadyManaged.Union(wanted).ToList();
        var applicationNames = await db.Applications.Where(a => managed.Contains(a.Id)).OrderByName().Select(a => a.Name).ToListAsync(cancellationToken);
        await emails.QueueInvitationAsync(user, organisation.Name, actor.Name, applicationNames);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new InvitationResult(user, []);
    }
}

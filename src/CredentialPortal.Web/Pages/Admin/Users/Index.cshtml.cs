using CredentialPortal.Core;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Admin.Users;

/// <summary>
/// Every user with organisation, roles, MFA and lockout state, and the administrators' actions on them. Each action
/// changes the security stamp where it must, so it takes effect on that user's next request.
/// </summary>
[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class IndexModel(
    CredentialPortalDbContext db,
    UserManager<PortalUser> users,
    AuditLog audit,
    AccountEmails emails,
    TimeProvider time) : PageModel
{
    public const int PageSize = 50;

    public sealed record Row(Guid Id, string Email, string DisplayName, string Organisation, bool IsAdministrator, int ManagedApplications,
        bool MfaEnrolled, bool HasPassword, DateTime? LastSignInAt, bool LockedOut, bool IsDisabled, DateTime? InvitedAt);

    [BindProperty(SupportsGet = true), PlainText(ErrorMessage = "The search " + PlainText.ErrorMessage + ".")] public string? Search { get; set; }
    [BindProperty(SupportsGet = true)] public int? OrganisationId { get; set; }
    [BindProperty(SupportsGet = true)] public bool LockedOut { get; set; }
    [BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;
    [BindProperty] public Guid UserId { get; set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public IReadOnlyList<Row> Users { get; private set; } = [];
    public IReadOnlyList<SelectListItem> Organisations { get; private set; } = [];
    public Paging Paging { get; private set; } = Paging.Of(1, PageSize, 0);
    public Guid CurrentUserId => ManagedApplications.UserId(User) ?? Guid.Empty;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var adminRoleId = await AdministratorRoleIdAsync(cancellationToken);
        // A term with control characters cannot match stored text (none holds any); PostgreSQL would refuse a NUL.
        if (ModelState.GetFieldValidationState(nameof(Search)) == ModelValidationState.Invalid)
        {
            return;
        }

        var query = db.Users.AsQueryable();
        if (!string.IsNullOrWhiteSpace(Search))
        {
            var term = Search.Trim();
            var normalized = term.ToUpperInvariant();
            query = query.Where(u => u.NormalizedEmail!.Contains(normalized) || u.DisplayName.Contains(term));
        }

        if (OrganisationId is { } organisationId)
        {
            query = query.Where(u => u.OrganisationId == organisationId);
        }

        if (LockedOut)
        {
            // DateTimeOffset comparisons do not translate on SQLite; the locked-out few are filtered in memory.
            var locked = (await db.Users.Where(u => u.LockoutEnd != null).Select(u => new { u.Id, u.LockoutEnd }).ToListAsync(cancellationToken))
                .Where(u => u.LockoutEnd > now).Select(u => u.Id).ToList();
            query = query.Where(u => locked.Contains(u.Id));
        }

        Paging = Paging.Of(PageNumber, PageSize, await query.CountAsync(cancellationToken));
        PageNumber = Paging.Number;
        var rows = await query.OrderBy(u => u.NormalizedEmail).Page(Paging)
            .Select(u => new
            {
                u.Id, u.Email, u.DisplayName, Organisation = u.Organisation.Name,
                IsAdministrator = db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == adminRoleId),
                Managed = u.ManagedApplications.Count, u.TwoFactorEnabled, HasPassword = u.PasswordHash != null,
                u.LastSignInAt, u.LockoutEnd, u.IsDisabled, u.InvitedAt,
            })
            .ToListAsync(cancellationToken);
        Users = rows.Select(u => new Row(u.Id, u.Email ?? "", u.DisplayName, u.Organisation, u.IsAdministrator, u.Managed, u.TwoFactorEnabled,
            u.HasPassword, u.LastSignInAt, u.LockoutEnd > now, u.IsDisabled, u.InvitedAt)).ToList();
        Organisations = await db.Organisations.OrderBy(o => o.Name)
            .Select(o => new SelectListItem(o.Name, o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToListAsync(cancellationToken);
    }

    public Pager Pager => Pager.Numbered("/Admin/Users/Index", Paging, page => new Dictionary<string, string?>
    {
        ["Search"] = Search,
        ["OrganisationId"] = OrganisationId?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["LockedOut"] = LockedOut ? "true" : null,
        ["page"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public Task<IActionResult> OnPostDisableAsync(CancellationToken cancellationToken) => ActAsync(async (user, actor) =>
    {
        if (user.Id == CurrentUserId)
        {
            return "You cannot disable yourself.";
        }

        if (await IsLastAdministratorAsync(user, cancellationToken))
        {
            return "This is the last active administrator; make someone else administrator first.";
        }

        user.IsDisabled = true;
        await users.UpdateSecurityStampAsync(user);
        audit.Add(AuditEventTypes.UserDisabled, actor, user.Email, organisationId: user.OrganisationId);
        return $"{user.Email} is disabled and signed out.";
    }, cancellationToken, mayRemoveAdministrator: true);

    public Task<IActionResult> OnPostEnableAsync(CancellationToken cancellationToken) => ActAsync(async (user, actor) =>
    {
        user.IsDisabled = false;
        await users.UpdateAsync(user);
        audit.Add(AuditEventTypes.UserEnabled, actor, user.Email, organisationId: user.OrganisationId);
        return $"{user.Email} is enabled.";
    }, cancellationToken);

    public Task<IActionResult> OnPostUnlockAsync(CancellationToken cancellationToken) => ActAsync(async (user, actor) =>
    {
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        audit.Add(AuditEventTypes.UserUnlocked, actor, user.Email, organisationId: user.OrganisationId);
        return $"{user.Email} is unlocked.";
    }, cancellationToken);

    public Task<IActionResult> OnPostResetMfaAsync(CancellationToken cancellationToken) => ActAsync(async (user, actor) =>
    {
        // The new stamp ends every open session and any earlier enrolment link. The password alone no longer leads
        // to enrolment: the person needs the link emailed now (a reset again sends a fresh one).
        await users.SetTwoFactorEnabledAsync(user, false);
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
        await users.RemoveAuthenticationTokenAsync(user, "[AspNetUserStore]", "AuthenticatorKey");
        await users.UpdateSecurityStampAsync(user);
        await users.RequireEnrolmentLinkAsync(user);
        audit.Add(AuditEventTypes.MfaReset, actor, $"{user.Email}, by an administrator", organisationId: user.OrganisationId);
        // Committed by the save that follows the action, with the audit event.
        await emails.QueueAuthenticatorResetAsync(user, actor.Name);
        return $"The authenticator of {user.Email} is reset: they were emailed a link to set up a new one.";
    }, cancellationToken);

    public Task<IActionResult> OnPostMakeAdministratorAsync(CancellationToken cancellationToken) => ActAsync(async (user, actor) =>
    {
        if (await users.IsInRoleAsync(user, PortalRole.Administrator))
        {
            return $"{user.Email} is already an administrator.";
        }

        await users.AddToRoleAsync(user, PortalRole.Administrator);
        audit.Add(AuditEventTypes.RoleGranted, actor, $"administrator: {user.Email}", organisationId: user.OrganisationId);
        return $"{user.Email} is now an administrator.";
    }, cancellationToken);

    public Task<IActionResult> OnPostRemoveAdministratorAsync(CancellationToken cancellationToken) => ActAsync(async (user, actor) =>
    {
        if (!await users.IsInRoleAsync(user, PortalRole.Administrator))
        {
            return $"{user.Email} is not an administrator.";
        }

        if (await IsLastAdministratorAsync(user, cancellationToken))
        {
            return "This is the last active administrator: make someone else administrator first.";
        }

        // Roles are reloaded on every request, so the change applies to open sessions at once.
        await users.RemoveFromRoleAsync(user, PortalRole.Administrator);
        audit.Add(AuditEventTypes.RoleRevoked, actor, $"administrator: {user.Email}", organisationId: user.OrganisationId);
        return $"{user.Email} is no longer an administrator.";
    }, cancellationToken, mayRemoveAdministrator: true);

    public Task<IActionResult> OnPostResendInvitationAsync(CancellationToken cancellationToken) => ActAsync(async (user, actor) =>
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
        // Committed by the save that follows the action, with the audit event.
        var applications = await db.CredentialManagers.Where(m => m.UserId == user.Id)
            .Select(m => m.Application.Name).Order().ToListAsync(cancellationToken);
        await emails.QueueInvitationAsync(user, organisation, actor.Name, applications);
        return $"A new invitation was sent to {user.Email}; the earlier link no longer works.";
    }, cancellationToken);

    /// <summary>
    /// Loads the posted user, runs the action (which returns the message to show), saves, and redirects back. An action
    /// that may leave one administrator fewer runs in a transaction that first writes the Administrator role's row: that
    /// row lock (PostgreSQL) or the write lock (SQLite) makes two such actions wait for each other, so the second one's
    /// "is someone else still an administrator" check sees the first one's change, and two administrators disabling or
    /// demoting each other at the same moment cannot leave none.
    /// </summary>
    private async Task<IActionResult> ActAsync(Func<PortalUser, AuditActor, Task<string>> action, CancellationToken cancellationToken,
        bool mayRemoveAdministrator = false)
    {
        await using var transaction = mayRemoveAdministrator ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        if (mayRemoveAdministrator)
        {
            await db.Roles.Where(r => r.Name == PortalRole.Administrator)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.ConcurrencyStamp, r => r.ConcurrencyStamp), cancellationToken);
        }

        var user = await users.FindByIdAsync(UserId.ToString());
        if (user is null)
        {
            return NotFound();
        }

        StatusMessage = await action(user, AuditActors.Current(HttpContext));
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        return RedirectToPage(new { Search, OrganisationId, LockedOut });
    }

    private async Task<bool> IsLastAdministratorAsync(PortalUser user, CancellationToken cancellationToken)
    {
        var roleId = await AdministratorRoleIdAsync(cancellationToken);
        var others = await db.UserRoles.CountAsync(r => r.RoleId == roleId && r.UserId != user.Id
            && db.Users.Any(u => u.Id == r.UserId && !u.IsDisabled), cancellationToken);
        return others == 0 && await users.IsInRoleAsync(user, PortalRole.Administrator);
    }

    private Task<Guid> AdministratorRoleIdAsync(CancellationToken cancellationToken) =>
        db.Roles.Where(r => r.Name == PortalRole.Administrator).Select(r => r.Id).SingleOrDefaultAsync(cancellationToken);
}

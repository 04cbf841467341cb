using System.Globalization;
using System.Text;
using CredentialPortal.Core;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Export;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using CredentialPortal.Core.Administration;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Admin.Users;

/// <summary>
/// Every user with organisation, roles, MFA and lockout state, and the administrators' actions on them
/// (<see cref="UserAdministration"/>).
/// </summary>
[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class IndexModel(CredentialPortalDbContext db, UserAdministration administration, TimeProvider time) : PageModel
{
    public const int PageSize = 50;

    public sealed record Row(Guid Id, string Email, string DisplayName, string Organisation, bool IsAdministrator, int ManagedApplications,
        bool MfaEnrolled, bool HasPassword, DateTime? LastSignInAt, bool LockedOut, bool IsDisabled, DateTime? InvitedAt, bool MayBecomeAdministrator);

    [BindProperty(SupportsGet = true), PlainText(ErrorMessage = "The search " + PlainText.ErrorMessage + ".")] public string? Search { get; set; }
    [BindProperty(SupportsGet = true)] public int? OrganisationId { get; set; }
    [BindProperty(SupportsGet = true)] public bool LockedOut { get; set; }
    [FromQuery(Name = Pager.PageParameter)] public int PageNumber { get; set; } = 1;
    [BindProperty] public Guid UserId { get; set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public IReadOnlyList<Row> Users { get; private set; } = [];

    /// <summary>Passkeys per listed user (absent: none), shown with the other factors.</summary>
    public IReadOnlyDictionary<Guid, int> PasskeyCounts { get; private set; } = new Dictionary<Guid, int>();
    public IReadOnlyList<SelectListItem> Organisations { get; private set; } = [];
    public Paging Paging { get; private set; } = Paging.Of(1, PageSize, 0);
    public Guid CurrentUserId => ManagedApplications.UserId(User) ?? Guid.Empty;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var adminRoleId = await administration.AdministratorRoleIdAsync(cancellationToken);
        // A term with control characters cannot match stored text (none holds any); PostgreSQL would refuse a NUL.
        if (ModelState.GetFieldValidationState(nameof(Search)) == ModelValidationState.Invalid)
        {
            return;
        }

        var query = await FilteredAsync(now, cancellationToken);
        Paging = Paging.Of(PageNumber, PageSize, await query.CountAsync(cancellationToken));
        PageNumber = Paging.Number;
        Users = await RowsAsync(query.OrderBy(u => u.NormalizedEmail).Page(Paging), adminRoleId, now, cancellationToken);
        var listed = Users.Select(u => u.Id).ToList();
        PasskeyCounts = await db.UserPasskeys.Where(p => listed.Contains(p.UserId)).GroupBy(p => p.UserId)
            .ToDictionaryAsync(g => g.Key, g => g.Count(), cancellationToken);
        Organisations = (await db.Organisations.Select(o => new { o.Id, o.Name }).ToListAsync(cancellationToken))
            .OrderByName(o => o.Name).Select(o => new SelectListItem(o.Name, o.Id.ToString(CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>The users the filters select.</summary>
    private async Task<IQueryable<PortalUser>> FilteredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
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

        return query;
    }

    private async Task<List<Row>> RowsAsync(IQueryable<PortalUser> users, Guid adminRoleId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await users
            .Select(u => new
            {
                u.Id, u.Email, u.DisplayName, Organisation = u.Organisation.Name, u.Organisation.IsOperator,
                IsAdministrator = db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == adminRoleId),
                Managed = u.ManagedApplications.Count, u.TwoFactorEnabled, HasPassword = u.PasswordHash != null,
                u.LastSignInAt, u.LockoutEnd, u.IsDisabled, u.InvitedAt,
            })
            .ToListAsync(cancellationToken);
        return rows.Select(u => new Row(u.Id, u.Email ?? "", u.DisplayName, u.Organisation, u.IsAdministrator, u.Managed, u.TwoFactorEnabled,
            u.HasPassword, u.LastSignInAt, u.LockoutEnd > now, u.IsDisabled, u.InvitedAt,
            administration.AdministratorRefusal(u.Organisation, u.IsOperator) is null)).ToList();
    }

    /// <summary>Every user the filters select (not only this page's), as CSV for a spreadsheet.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken)
    {
        if (ModelState.GetFieldValidationState(nameof(Search)) == ModelValidationState.Invalid)
        {
            return BadRequest(ModelState);
        }

        var now = time.GetUtcNow();
        var rows = await RowsAsync((await FilteredAsync(now, cancellationToken)).OrderBy(u => u.NormalizedEmail),
            await administration.AdministratorRoleIdAsync(cancellationToken), now, cancellationToken);
        var csv = new StringBuilder(CsvText.Line("email", "name", "organisation", "administrator", "applications_managed", "mfa_enrolled",
            "last_sign_in_utc", "state"));
        foreach (var row in rows)
        {
            csv.Append(CsvText.Line(row.Email, row.DisplayName, row.Organisation, row.IsAdministrator ? "yes" : "no",
                row.ManagedApplications.ToString(CultureInfo.InvariantCulture), row.MfaEnrolled ? "yes" : "no",
                row.LastSignInAt?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                row.IsDisabled ? "disabled" : row.LockedOut ? "locked out" : !row.HasPassword ? "invited" : "active"));
        }

        return File(Encoding.UTF8.GetBytes(csv.ToString()), CsvText.ContentType, "users.csv");
    }

    public Pager Pager => Pager.Numbered("/admin/users", Paging, page => new Dictionary<string, string?>
    {
        ["Search"] = Search,
        ["OrganisationId"] = OrganisationId?.ToString(CultureInfo.InvariantCulture),
        ["LockedOut"] = LockedOut ? "true" : null,
        [Pager.PageParameter] = page.ToString(CultureInfo.InvariantCulture),
    });

    public Task<IActionResult> OnPostDisableAsync(CancellationToken cancellationToken) => ActAsync(UserAction.Disable, cancellationToken);

    public Task<IActionResult> OnPostEnableAsync(CancellationToken cancellationToken) => ActAsync(UserAction.Enable, cancellationToken);

    public Task<IActionResult> OnPostUnlockAsync(CancellationToken cancellationToken) => ActAsync(UserAction.Unlock, cancellationToken);

    public Task<IActionResult> OnPostResetMfaAsync(CancellationToken cancellationToken) => ActAsync(UserAction.ResetAuthenticator, cancellationToken);

    public Task<IActionResult> OnPostMakeAdministratorAsync(CancellationToken cancellationToken) =>
        ActAsync(UserAction.MakeAdministrator, cancellationToken);

    public Task<IActionResult> OnPostRemoveAdministratorAsync(CancellationToken cancellationToken) =>
        ActAsync(UserAction.RemoveAdministrator, cancellationToken);

    public Task<IActionResult> OnPostResendInvitationAsync(CancellationToken cancellationToken) =>
        ActAsync(UserAction.ResendInvitation, cancellationToken);

    /// <summary>Runs the action on the posted user, shows its message and goes back to the same filtered list.</summary>
    private async Task<IActionResult> ActAsync(UserAction action, CancellationToken cancellationToken)
    {
        var result = await administration.ApplyAsync(UserId, action, AuditActors.Current(HttpContext), cancellationToken);
        if (!result.Found)
        {
            return NotFound();
        }

        StatusMessage = result.Message;
        return RedirectToPage(new { Search, OrganisationId, LockedOut });
    }
}

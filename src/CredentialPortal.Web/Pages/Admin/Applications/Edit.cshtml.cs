using CredentialPortal.Core;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Web.Account;
using CredentialPortal.Core.Administration;
using CredentialPortal.Web.Hosting;
using CredentialPortal.Core.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Admin.Applications;

/// <summary>Create and edit an application, and assign its credential managers (the commands: <see cref="ApplicationManagement"/>).</summary>
[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class EditModel(CredentialPortalDbContext db, ApplicationManagement applications, TimeProvider time) : PageModel
{
    public const string CredentialLimitWarning = "With a credential limit of 1 the credential cannot be rotated without an outage: " +
        "the old one must be deleted before the new one exists. Use at least 2.";

    public sealed record ManagerRow(Guid UserId, string Email, string DisplayName, DateTime AssignedAt, string AssignedBy);

    [FromRoute]
    public int? Id { get; set; }

    /// <summary>Bound in <see cref="OnPostAsync"/> only: the manager forms on the same page do not post it.</summary>
    public ApplicationForm Input { get; set; } = new();

    [BindProperty]
    public Guid? ManagerUserId { get; set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public bool IsNew => Id is null;
    public Application? Application { get; private set; }
    public IReadOnlyList<ManagerRow> Managers { get; private set; } = [];
    public IReadOnlyList<SelectListItem> Organisations { get; private set; } = [];

    /// <summary>Per organisation id, the CC-OrganisationName part of the proposed name, for the form's live proposal.</summary>
    public IReadOnlyDictionary<string, string> NameParts { get; private set; } = new Dictionary<string, string>();
    public IReadOnlyList<SelectListItem> CandidateManagers { get; private set; } = [];
    public CreatedSecret? NewSecret { get; private set; }
    public DateOnly LatestExpiry => CredentialExpiryPolicy.LatestExpiryDate(Now);
    public DateOnly EarliestExpiry => CredentialExpiryPolicy.EarliestExpiryDate(Now);

    /// <summary>
    /// The permissions the form offers, each with the codes of the APIs that allow it: an application holds its own
    /// API's permissions only, so editing shows just those, and creating shows those of the API chosen (site.js hides
    /// the others while the API is picked; without script all are shown and the server refuses the wrong ones).
    /// </summary>
    public IEnumerable<(string Value, string Label, string Apis)> PermissionChoices =>
        from resource in ApiCatalog.Resources
        let apis = ApiCatalog.Apis.Where(a => ApiCatalog.Allows(a.Code, resource.Name)).Select(a => a.Code).ToList()
        where IsNew || apis.Contains(Input.ApiCode ?? "")
        from environment in Enum.GetValues<ApiEnvironment>()
        select (ApplicationForm.PermissionValue(resource.Name, environment), $"{resource.DisplayName} {environment.ToString().ToLowerInvariant()}",
            string.Join(' ', apis));

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// The edit page's address. Written out because route generation would pick the id-less create route that
    /// shares this page.
    /// </summary>
    public static string EditUrl(int applicationId) =>
        "/admin/applications/" + applicationId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public async Task<IActionResult> OnGetAsync(int? organisationId, CancellationToken cancellationToken)
    {
        if (IsNew)
        {
            Input.OrganisationId = organisationId ?? 0;
            Input.FirstSecretExpiry = CredentialExpiryPolicy.DefaultExpiryDate(Now);
        }
        else if (await LoadAsync(cancellationToken) is { } application)
        {
            Input = ApplicationForm.Of(application);
        }
        else
        {
            return NotFound();
        }

        await LoadChoicesAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await TryUpdateModelAsync(Input, nameof(Input));
        var existing = IsNew ? null : await LoadAsync(cancellationToken);
        if (!IsNew && existing is null)
        {
            return NotFound();
        }

        if (existing is not null)
        {
            // Fixed at creation (CheckAsync takes them from the application): what was posted for them does not count.
            foreach (var fixedField in new[] { nameof(Input.OrganisationId), nameof(Input.ApiCode), nameof(Input.IsSandboxOnly) })
            {
                ModelState.Remove($"{nameof(Input)}.{fixedField}");
            }
        }

        var plan = await applications.CheckAsync(existing, Input, cancellationToken);
        // The re-rendered hidden field shows the model's value (set once the policy's warning was shown), not the posted one.
        ModelState.Remove($"{nameof(Input)}.{nameof(Input.ConfirmPolicyChange)}");
        foreach (var (field, message) in plan.Errors)
        {
            ModelState.AddModelError($"{nameof(Input)}.{field}", message);
        }

        var saved = ModelState.IsValid ? await applications.SaveAsync(existing, Input, plan, AuditActors.Current(HttpContext), cancellationToken) : null;
        if (saved is null or { Conflicted: true } or { Refused: true })
        {
            if (saved is { Conflicted: true })
            {
                ModelState.AddModelError("", ApplicationManagement.ConflictMessage);
            }

            foreach (var (field, message) in saved?.Errors ?? [])
            {
                ModelState.AddModelError($"{nameof(Input)}.{field}", message);
            }

            await LoadChoicesAsync(cancellationToken);
            return Page();
        }

        var application = saved.Application!;
        if (saved.FirstSecret is not null)
        {
            // Shown in this response only: no redirect, nothing in TempData, and the response is not cached.
            NewSecret = saved.FirstSecret;
            Id = application.Id;
            await LoadAsync(cancellationToken);
            Response.Headers.CacheControl = "no-store";
            Response.Headers.Pragma = "no-cache";
            return Page();
        }

        StatusMessage = (saved.IsNew ? $"Application {application.Name} created with client ID {application.ClientId}." : $"Application {application.Name} saved.")
            + (application.CredentialLimit < 2 ? " " + CredentialLimitWarning : "");
        return Redirect(EditUrl(application.Id));
    }

    public async Task<IActionResult> OnPostAddManagerAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is not { } application)
        {
            return NotFound();
        }

        if (await applications.AddManagerAsync(application, ManagerUserId, AuditActors.Current(HttpContext), cancellationToken) is { } refusal)
        {
            ModelState.AddModelError(nameof(ManagerUserId), refusal);
            await OnGetAsync(null, cancellationToken);
            return Page();
        }

        var email = application.Managers.Single(m => m.UserId == ManagerUserId).User.Email;
        StatusMessage = $"{email} is now a credential manager of {application.Name}.";
        return Redirect(EditUrl(application.Id));
    }

    public async Task<IActionResult> OnPostRemoveManagerAsync(CancellationToken cancellationToken)
    {
        var application = await LoadAsync(cancellationToken);
        var assignment = application?.Managers.SingleOrDefault(m => m.UserId == ManagerUserId);
        if (application is null || assignment is null)
        {
            return NotFound();
        }

        await applications.RemoveManagerAsync(application, assignment, AuditActors.Current(HttpContext), cancellationToken);
        StatusMessage = $"{assignment.User.Email} no longer manages {application.Name}.";
        return Redirect(EditUrl(application.Id));
    }

    private async Task<Application?> LoadAsync(CancellationToken cancellationToken) =>
        Application = Id is { } id ? await applications.FindAsync(id, cancellationToken) : null;

    private async Task LoadChoicesAsync(CancellationToken cancellationToken)
    {
        var organisations = (await db.Organisations.Where(o => o.IsActive || o.Id == Input.OrganisationId)
            .Select(o => new { o.Id, o.Name, o.CountryCode }).ToListAsync(cancellationToken)).OrderByName(o => o.Name).ToList();
        Organisations = organisations.Select(o => new SelectListItem($"{o.Name} ({o.CountryCode})", o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        NameParts = organisations.ToDictionary(o => o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            o => $"{o.CountryCode}-{ApplicationName.NamePart(o.Name)}");
        if (Application is null)
        {
            return;
        }

        Managers = Application.Managers.OrderBy(m => m.User.Email)
            .Select(m => new ManagerRow(m.UserId, m.User.Email ?? "", m.User.DisplayName, m.AssignedAt, m.AssignedBy)).ToList();
        var managerIds = Managers.Select(m => m.UserId).ToList();
        CandidateManagers = await db.Users
            .Where(u => u.OrganisationId == Application.OrganisationId && !u.IsDisabled && !managerIds.Contains(u.Id))
            .OrderBy(u => u.Email)
            .Select(u => new SelectListItem(u.DisplayName == "" ? u.Email : u.DisplayName + " <" + u.Email + ">", u.Id.ToString()))
            .ToListAsync(cancellationToken);
    }
}

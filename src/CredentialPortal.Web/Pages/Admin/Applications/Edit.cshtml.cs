using System.ComponentModel.DataAnnotations;
using System.Net.Mail;
using CredentialPortal.Core;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Email.Outbox;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Secrets;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Admin.Applications;

/// <summary>Create and edit an application, and assign its credential managers.</summary>
[Authorize(Policy = IdentitySetup.AdministratorPolicy)]
public sealed class EditModel(
    CredentialPortalDbContext db,
    AuditLog audit,
    SecretManagement secrets,
    CredentialLifecycle credentials,
    EmailOutbox outbox,
    PortalAddress portal,
    TimeProvider time) : PageModel
{
    public const int MaxSecretLimit = 100;

    public const string SecretLimitWarning = "With a secret limit of 1 the secret cannot be rotated without an outage: " +
        "the old one must be deleted before the new one exists. Use at least 2.";

    public sealed class InputModel
    {
        [Range(1, int.MaxValue, ErrorMessage = "Choose the organisation.")]
        public int OrganisationId { get; set; }

        [Required(ErrorMessage = "Choose the API.")]
        public string ApiCode { get; set; } = "";

        public bool IsSandboxOnly { get; set; }

        /// <summary>Left empty on creation, the conventional name is proposed from organisation and API.</summary>
        [StringLength(Application.MaxNameLength)]
        [PlainText(ErrorMessage = "The name " + PlainText.ErrorMessage + ".")]
        public string? Name { get; set; }

        public List<string> Permissions { get; set; } = [];

        public bool IsActive { get; set; } = true;

        [Range(1, MaxSecretLimit, ErrorMessage = "The secret limit must be between 1 and 100.")]
        public int SecretLimit { get; set; } = Application.DefaultSecretLimit;

        public bool AllowSelfRotation { get; set; }

        public bool IsAdminAutomationClient { get; set; }

        public bool IsResourceServer { get; set; }

        public AuthenticationPolicy AuthenticationPolicy { get; set; }

        /// <summary>The policy's warning was shown and the administrator saves anyway.</summary>
        public bool ConfirmPolicyChange { get; set; }

        /// <summary>One address per line (commas work too).</summary>
        [StringLength(4000)]
        public string? NotificationEmails { get; set; }

        public bool CreateFirstSecret { get; set; }

        [StringLength(ClientSecret.MaxNameLength, ErrorMessage = "The name can be at most 100 characters.")]
        [PlainText(ErrorMessage = "The name of the first secret " + PlainText.ErrorMessage + ".")]
        public string? FirstSecretName { get; set; }

        [DataType(DataType.Date)]
        public DateOnly? FirstSecretExpiry { get; set; }

        public Guid Version { get; set; }
    }

    public sealed record ManagerRow(Guid UserId, string Email, string DisplayName, DateTime AssignedAt, string AssignedBy);

    [FromRoute]
    public int? Id { get; set; }

    /// <summary>Bound in <see cref="OnPostAsync"/> only: the manager forms on the same page do not post it.</summary>
    public InputModel Input { get; set; } = new();

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
    public DateOnly DefaultExpiry => SecretExpiryPolicy.DefaultExpiryDate(Now);
    public DateOnly LatestExpiry => SecretExpiryPolicy.LatestExpiryDate(Now);
    public DateOnly EarliestExpiry => SecretExpiryPolicy.EarliestExpiryDate(Now);

    public static IEnumerable<(string Value, string Label)> PermissionChoices =>
        from resource in ApiCatalog.Resources
        from environment in Enum.GetValues<ApiEnvironment>()
        select ($"{resource.Name}|{environment}", $"{resource.DisplayName} {environment.ToString().ToLowerInvariant()}");

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
            Input.FirstSecretExpiry = DefaultExpiry;
        }
        else
        {
            var application = await LoadAsync(cancellationToken);
            if (application is null)
            {
                return NotFound();
            }

            Input = new InputModel
            {
                OrganisationId = application.OrganisationId,
                ApiCode = application.ApiCode,
                IsSandboxOnly = application.IsSandboxOnly,
                Name = application.Name,
                Permissions = application.Permissions.Select(p => $"{p.Api}|{p.Environment}").ToList(),
                IsActive = application.IsActive,
                SecretLimit = application.SecretLimit,
                AllowSelfRotation = application.AllowSelfRotation,
                IsAdminAutomationClient = application.IsAdminAutomationClient,
                IsResourceServer = application.IsResourceServer,
                AuthenticationPolicy = application.AuthenticationPolicy,
                NotificationEmails = string.Join('\n', application.NotificationEmails),
                Version = application.Version,
            };
        }

        await LoadChoicesAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await TryUpdateModelAsync(Input, nameof(Input));
        var application = IsNew ? null : await LoadAsync(cancellationToken);
        if (!IsNew && application is null)
        {
            return NotFound();
        }

        if (application is not null)
        {
            // Organisation, API and sandbox status are fixed at creation: names and managers depend on them.
            Input.OrganisationId = application.OrganisationId;
            Input.ApiCode = application.ApiCode;
            Input.IsSandboxOnly = application.IsSandboxOnly;
            foreach (var fixedField in new[] { "Input.OrganisationId", "Input.ApiCode", "Input.IsSandboxOnly" })
            {
                ModelState.Remove(fixedField);
            }
        }

        var organisation = await db.Organisations.FindAsync([Input.OrganisationId], cancellationToken);
        var (permissions, notificationEmails) = Validate(organisation, application);
        if (ModelState.IsValid && await db.Applications.AnyAsync(a => a.Name == Input.Name && a.Id != (Id ?? 0), cancellationToken))
        {
            ModelState.AddModelError("Input.Name", "Another application already has this name.");
        }

        if (application is not null && !Input.ConfirmPolicyChange && await AuthenticationPolicies.ChangeWarningAsync(
                db, application, Input.AuthenticationPolicy, Now, cancellationToken) is { } policyWarning)
        {
            ModelState.AddModelError("Input.AuthenticationPolicy", policyWarning);
            // The posted "false" would win over the model in the re-rendered hidden field.
            ModelState.Remove("Input.ConfirmPolicyChange");
            Input.ConfirmPolicyChange = true;
        }

        if (!ModelState.IsValid)
        {
            await LoadChoicesAsync(cancellationToken);
            return Page();
        }

        var now = Now;
        var isNew = application is null;
        // The change and its change-log row commit together: a change without its row would stay invisible to the
        // token service's caches (a new application needs the first save for its id).
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (application is null)
        {
            application = new Application
            {
                ClientId = SecretGenerator.NewClientId(),
                Name = Input.Name!,
                ApiCode = Input.ApiCode,
                OrganisationId = organisation!.Id,
                IsSandboxOnly = Input.IsSandboxOnly,
                CreatedAt = now,
            };
            db.Applications.Add(application);
        }
        else if (application.Version != Input.Version)
        {
            ModelState.AddModelError("", "Someone else changed this application while you were editing it. Reload the page and make your change again.");
            await LoadChoicesAsync(cancellationToken);
            return Page();
        }

        application.Name = Input.Name!;
        application.IsActive = Input.IsActive;
        application.SecretLimit = Input.SecretLimit;
        application.AllowSelfRotation = Input.AllowSelfRotation;
        application.IsAdminAutomationClient = Input.IsAdminAutomationClient;
        application.IsResourceServer = Input.IsResourceServer;
        application.AuthenticationPolicy = Input.AuthenticationPolicy;
        application.NotificationEmails = notificationEmails;
        application.Version = Guid.NewGuid();
        SetPermissions(application, permissions);
        await db.SaveChangesAsync(cancellationToken);

        db.RecordCredentialChange(application.Id, now);
        audit.Add(isNew ? AuditEventTypes.ApplicationCreated : AuditEventTypes.ApplicationChanged, AuditActors.Current(HttpContext),
            $"{application.Name}: {(application.IsActive ? "active" : "inactive")}, scopes {string.Join(" ", application.Permissions.Select(p => p.Scope).Order(StringComparer.Ordinal))}, " +
            $"secret limit {application.SecretLimit}, self-rotation {(application.AllowSelfRotation ? "on" : "off")}, admin automation {(application.IsAdminAutomationClient ? "on" : "off")}, " +
            $"resource server {(application.IsResourceServer ? "on" : "off")}, authentication {application.AuthenticationPolicy.Describe().ToLowerInvariant()}",
            organisationId: application.OrganisationId, applicationId: application.Id);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        credentials.AfterCommit(application.Id);

        if (isNew && Input.CreateFirstSecret)
        {
            var created = await secrets.CreateAsync(application, Input.FirstSecretName,
                SecretExpiryPolicy.ExpiresAtFor(Input.FirstSecretExpiry!.Value), AuditActors.Current(HttpContext), cancellationToken);
            if (created.Succeeded)
            {
                // Shown in this response only: no redirect, nothing in TempData, and the response is not cached.
                NewSecret = created.Created;
                Id = application.Id;
                Application = await LoadAsync(cancellationToken);
                Response.Headers.CacheControl = "no-store";
                Response.Headers.Pragma = "no-cache";
                await LoadChoicesAsync(cancellationToken);
                return Page();
            }
        }

        StatusMessage = (isNew ? $"Application {application.Name} created with client ID {application.ClientId}." : $"Application {application.Name} saved.")
            + (application.SecretLimit < 2 ? " " + SecretLimitWarning : "");
        return Redirect(EditUrl(application.Id));
    }

    public async Task<IActionResult> OnPostAddManagerAsync(CancellationToken cancellationToken)
    {
        var application = await LoadAsync(cancellationToken);
        if (application is null)
        {
            return NotFound();
        }

        var user = ManagerUserId is { } userId ? await db.Users.FindAsync([userId], cancellationToken) : null;
        if (user is null)
        {
            ModelState.AddModelError(nameof(ManagerUserId), "Choose a user to make credential manager.");
        }
        else if (user.OrganisationId != application.OrganisationId)
        {
            ModelState.AddModelError(nameof(ManagerUserId),
                $"{user.Email} belongs to another organisation: only users of {application.Organisation.Name} can manage this application.");
        }
        else if (application.Managers.Any(m => m.UserId == user.Id))
        {
            ModelState.AddModelError(nameof(ManagerUserId), $"{user.Email} already manages this application.");
        }

        if (!ModelState.IsValid)
        {
            await OnGetAsync(null, cancellationToken);
            return Page();
        }

        db.CredentialManagers.Add(new CredentialManagerAssignment
        {
            UserId = user!.Id,
            ApplicationId = application.Id,
            AssignedAt = Now,
            AssignedBy = AuditActors.Current(HttpContext).Name,
        });
        audit.Add(AuditEventTypes.RoleGranted, AuditActors.Current(HttpContext), $"credential manager of {application.Name}: {user.Email}",
            organisationId: application.OrganisationId, applicationId: application.Id);
        Notify(user, application, assigned: true);
        await db.SaveChangesAsync(cancellationToken);
        StatusMessage = $"{user.Email} is now a credential manager of {application.Name}.";
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

        db.CredentialManagers.Remove(assignment);
        audit.Add(AuditEventTypes.RoleRevoked, AuditActors.Current(HttpContext), $"credential manager of {application.Name}: {assignment.User.Email}",
            organisationId: application.OrganisationId, applicationId: application.Id);
        Notify(assignment.User, application, assigned: false);
        await db.SaveChangesAsync(cancellationToken);
        StatusMessage = $"{assignment.User.Email} no longer manages {application.Name}.";
        return Redirect(EditUrl(application.Id));
    }

    private (List<(string Api, ApiEnvironment Environment)> Permissions, List<string> NotificationEmails) Validate(
        Organisation? organisation, Application? existing)
    {
        if (organisation is null)
        {
            ModelState.AddModelError("Input.OrganisationId", "Choose the organisation.");
        }

        if (ApiCatalog.FindApi(Input.ApiCode ?? "") is null)
        {
            ModelState.AddModelError("Input.ApiCode", "Choose the API.");
        }

        var api = ApiCatalog.FindApi(Input.ApiCode ?? "");
        Input.Name = string.IsNullOrWhiteSpace(Input.Name) && organisation is not null && api is not null && existing is null
            ? ApplicationName.Propose(organisation.CountryCode, organisation.Name, api.Code, Input.IsSandboxOnly)
            : Input.Name?.Trim();
        if (string.IsNullOrEmpty(Input.Name))
        {
            // On creation an empty name means "the proposed one": what is missing is the organisation or the API, said above.
            if (existing is not null)
            {
                ModelState.AddModelError("Input.Name", "Enter the application's name.");
            }
        }
        else if (ApplicationName.Validate(Input.Name, Input.IsSandboxOnly) is { } nameError)
        {
            ModelState.AddModelError("Input.Name", nameError);
        }
        else if (organisation is not null && !Input.Name.Contains($"-{organisation.CountryCode}-", StringComparison.Ordinal))
        {
            ModelState.AddModelError("Input.Name", $"The country code in the name must be the organisation's ({organisation.CountryCode}).");
        }
        else if (!Input.Name.EndsWith($"-{Input.ApiCode}", StringComparison.Ordinal))
        {
            ModelState.AddModelError("Input.Name", $"The name must end with the API code ({Input.ApiCode}).");
        }

        var permissions = new List<(string Api, ApiEnvironment Environment)>();
        foreach (var value in Input.Permissions.Distinct(StringComparer.Ordinal))
        {
            var parts = value.Split('|');
            if (parts.Length != 2 || !ApiCatalog.IsResource(parts[0]) || !Enum.TryParse<ApiEnvironment>(parts[1], out var environment) || !Enum.IsDefined(environment))
            {
                ModelState.AddModelError("Input.Permissions", $"'{value}' is not a known permission.");
                continue;
            }

            if (api is not null && !ApiCatalog.Allows(api.Code, parts[0]))
            {
                ModelState.AddModelError("Input.Permissions", $"A {api.DisplayName} ({api.Code}) application can hold only " +
                    $"{string.Join(" and ", api.Resources.Select(ApiCatalog.DisplayNameOf))} permissions, not {ApiCatalog.DisplayNameOf(parts[0])}.");
                continue;
            }

            permissions.Add((parts[0], environment));
        }

        if (Input.IsSandboxOnly && permissions.Any(p => p.Environment == ApiEnvironment.Production))
        {
            ModelState.AddModelError("Input.Permissions", "A sandbox-only (PartnerAlternative) application can hold sandbox permissions only.");
        }

        var emails = (Input.NotificationEmails ?? "")
            .Split(['\n', '\r', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        foreach (var address in emails.Where(a => !MailAddress.TryCreate(a, out var parsed) || parsed.Address != a))
        {
            ModelState.AddModelError("Input.NotificationEmails", $"'{address}' is not an email address.");
        }

        if (existing is null && Input.CreateFirstSecret)
        {
            if (string.IsNullOrWhiteSpace(Input.FirstSecretName))
            {
                ModelState.AddModelError("Input.FirstSecretName", "Enter a name for the first secret.");
            }

            if (Input.FirstSecretExpiry is not { } expiry)
            {
                ModelState.AddModelError("Input.FirstSecretExpiry", "Choose when the first secret expires.");
            }
            else if (SecretExpiryPolicy.Validate(expiry, Now) is { } expiryError)
            {
                ModelState.AddModelError("Input.FirstSecretExpiry", expiryError);
            }
        }

        return (permissions, emails);
    }

    private static void SetPermissions(Application application, List<(string Api, ApiEnvironment Environment)> wanted)
    {
        application.Permissions.RemoveAll(p => !wanted.Contains((p.Api, p.Environment)));
        foreach (var (api, environment) in wanted.Where(w => !application.Permissions.Any(p => p.Api == w.Api && p.Environment == w.Environment)))
        {
            application.Permissions.Add(new ApplicationPermission { Api = api, Environment = environment });
        }
    }

    private async Task<Application?> LoadAsync(CancellationToken cancellationToken)
    {
        Application = await db.Applications
            .Include(a => a.Organisation)
            .Include(a => a.Permissions)
            .Include(a => a.Managers).ThenInclude(m => m.User)
            .AsSplitQuery()
            .SingleOrDefaultAsync(a => a.Id == Id, cancellationToken);
        return Application;
    }

    private async Task LoadChoicesAsync(CancellationToken cancellationToken)
    {
        var organisations = await db.Organisations.Where(o => o.IsActive || o.Id == Input.OrganisationId).OrderBy(o => o.Name)
            .Select(o => new { o.Id, o.Name, o.CountryCode }).ToListAsync(cancellationToken);
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

    /// <summary>Queues the email in this unit of work: it commits with the assignment or removal it reports.</summary>
    private void Notify(PortalUser user, Application application, bool assigned)
    {
        if (user.Email is not null)
        {
            outbox.Add(ManagerRoleEmail.Compose(user.Email, application, assigned, portal.BaseUrl), OutboxEmailKind.ManagerRole,
                application.OrganisationId, application.Id);
        }
    }
}

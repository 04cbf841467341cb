using CredentialPortal.Core;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Usage;
using CredentialPortal.Core.Users;
using CredentialPortal.Web.Account;
using CredentialPortal.Web.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Pages.Credentials;

/// <summary>The Manage API Credentials page: the user's applications, their client IDs and secrets.</summary>
public sealed class IndexModel(CredentialPortalDbContext db, ManagedApplications access, PortalAddress portal, TimeProvider time) : PageModel
{
    public const int PageSize = 20;

    /// <summary>
    /// A credential as the list shows it; <c>KeyDescription</c> only for keys (for a federated identity: its issuer),
    /// <c>LeakLocation</c> only for a secret found in public.
    /// </summary>
    public sealed record CredentialRow(int Id, string Name, string Hint, DateTime CreatedAt, string CreatedBy, DateTime ExpiresAt,
        DateTime? DisabledAt, DateTime? LastUsedAt, CredentialKind Kind = CredentialKind.Secret, string? KeyDescription = null,
        string? LeakLocation = null, int? ReplacedById = null);

    /// <summary>A credential manager of an application, as the other managers see them.</summary>
    public sealed record Manager(string Name, string Email, bool IsYou);

    public sealed record ApplicationView(int Id, string Name, string ClientId, string Organisation, bool IsSandboxOnly, bool IsActive,
        int CredentialLimit, IReadOnlyList<ApplicationPermission> Permissions, IReadOnlyList<CredentialRow> Secrets)
    {
        public IReadOnlyList<CredentialRow> Keys { get; init; } = [];
        public IReadOnlyList<CredentialRow> FederatedIdentities { get; init; } = [];
        public AllowedKinds Policy { get; init; } = AllowedKinds.All;

        /// <summary>Every credential of the application, whatever its kind.</summary>
        public IEnumerable<CredentialRow> All => Secrets.Concat(Keys).Concat(FederatedIdentities);

        /// <summary>Everyone who manages the application (enabled accounts), the signed-in user included (<see cref="Manager.IsYou"/>).</summary>
        public IReadOnlyList<Manager> Managers { get; init; } = [];

        /// <summary>How many more credentials the limit allows (secrets and keys, disabled and expired ones too).</summary>
        public int CredentialsLeft => Math.Max(0, CredentialLimit - Secrets.Count - Keys.Count - FederatedIdentities.Count);

        public int Held(CredentialKind kind) => kind switch
        {
            CredentialKind.Key => Keys.Count,
            CredentialKind.FederatedIdentity => FederatedIdentities.Count,
            _ => Secrets.Count,
        };

        /// <summary>The most credentials of this kind the application may hold, beside the other kinds' (<see cref="CredentialRules.LimitFor"/>).</summary>
        public int LimitFor(CredentialKind kind) =>
            CredentialRules.LimitFor(CredentialLimit, CredentialKinds.All.ToDictionary(k => k, Held), kind);
    }

    /// <summary>One table of the list: the secrets or the keys of an application.</summary>
    public sealed record CredentialTable(ApplicationView Application, IReadOnlyList<CredentialRow> Rows, CredentialKind Kind, DateTime Now);

    [BindProperty(SupportsGet = true), PlainText(ErrorMessage = "The search " + PlainText.ErrorMessage + ".")] public string? Search { get; set; }
    [BindProperty(SupportsGet = true)] public int? OrganisationId { get; set; }
    [FromQuery(Name = Pager.PageParameter)] public int PageNumber { get; set; } = 1;

    /// <summary>The usage charts' range in days: one of <see cref="UsageQueries.ChartDays"/> (anything else is the first).</summary>
    [FromQuery(Name = "usage")] public int UsageDays { get; set; }

    /// <summary>Each listed application's usage over <see cref="UsageDays"/>.</summary>
    public IReadOnlyDictionary<int, UsageSeries> Usage { get; private set; } = new Dictionary<int, UsageSeries>();

    [TempData]
    public string? StatusMessage { get; set; }

    public bool IsAdministrator { get; private set; }
    public IReadOnlyList<ApplicationView> Applications { get; private set; } = [];
    public IReadOnlyList<SelectListItem> Organisations { get; private set; } = [];
    public IReadOnlyList<string> Administrators { get; private set; } = [];
    public Paging Paging { get; private set; } = Paging.Of(1, PageSize, 0);
    public int Total => Paging.Total;
    public DateTime Now { get; private set; }
    public string BaseUrl => portal.BaseUrl;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow().UtcDateTime;
        IsAdministrator = ManagedApplications.IsAdministrator(User);
        // A term with control characters cannot match stored text (none holds any); PostgreSQL would refuse a NUL.
        if (ModelState.GetFieldValidationState(nameof(Search)) == ModelValidationState.Invalid)
        {
            return;
        }

        var query = access.QueryManagedApplications(User);
        if (IsAdministrator)
        {
            if (OrganisationId is { } organisationId)
            {
                query = query.Where(a => a.OrganisationId == organisationId);
            }

            if (!string.IsNullOrWhiteSpace(Search))
            {
                var term = Search.Trim();
                query = query.Where(a => a.Name.Contains(term) || a.ClientId == term);
            }

            Organisations = (await db.Organisations.Select(o => new { o.Id, o.Name }).ToListAsync(cancellationToken))
                .OrderByName(o => o.Name)
                .Select(o => new SelectListItem(o.Name, o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .ToList();
        }

        Paging = Paging.Of(PageNumber, PageSize, await query.CountAsync(cancellationToken));
        PageNumber = Paging.Number;
        var applications = await query
            .OrderByName()
            .Page(Paging)
            .Select(a => new { a.Id, a.Name, a.ClientId, Organisation = a.Organisation.Name, a.IsSandboxOnly, a.IsActive, a.CredentialLimit, a.AuthenticationPolicy, a.AllowedCredentialKinds })
            .ToListAsync(cancellationToken);
        var ids = applications.Select(a => a.Id).ToList();
        var permissions = (await db.ApplicationPermissions.Where(p => ids.Contains(p.ApplicationId)).ToListAsync(cancellationToken))
            .ToLookup(p => p.ApplicationId);
        var credentials = (await db.ClientCredentials.Where(s => ids.Contains(s.ApplicationId))
                .OrderByDescending(s => s.ExpiresAt)
                .Select(s => new
                {
                    s.ApplicationId,
                    Row = new CredentialRow(s.Id, s.Name, s.Hint, s.CreatedAt, s.CreatedBy, s.ExpiresAt, s.DisabledAt, s.LastUsedAt, s.Kind,
                        s is ClientKey ? ((ClientKey)s).KeyDescription : s is FederatedIdentity ? ((FederatedIdentity)s).Issuer : null, s is ClientSecret ? ((ClientSecret)s).LeakLocation : null, s.ReplacedById),
                })
                .ToListAsync(cancellationToken))
            .ToList();
        var creators = await ActorNames.OfClientsAsync(db, credentials.Select(c => c.Row.CreatedBy), cancellationToken);
        var rows = credentials.ToLookup(s => (s.ApplicationId, s.Row.Kind), s => s.Row with { CreatedBy = creators.Display(s.Row.CreatedBy) });
        var managers = (await db.CredentialManagers
                .Where(m => ids.Contains(m.ApplicationId) && !m.User.IsDisabled)
                .Select(m => new { m.ApplicationId, m.UserId, m.User.DisplayName, m.User.Email })
                .ToListAsync(cancellationToken))
            .OrderByName(m => m.DisplayName)
            .ToLookup(m => m.ApplicationId, m => new Manager(m.DisplayName, m.Email ?? "", m.UserId == ManagedApplications.UserId(User)));
        UsageDays = UsageQueries.ChartDays.Contains(UsageDays) ? UsageDays : UsageQueries.ChartDays[0];
        Usage = await UsageQueries.ForApplicationsAsync(db, ids, UsageDays, Now, cancellationToken);
        Applications = applications.Select(a => new ApplicationView(a.Id, a.Name, a.ClientId, a.Organisation, a.IsSandboxOnly, a.IsActive, a.CredentialLimit,
            permissions[a.Id].OrderBy(p => p.Environment).ThenBy(p => p.Api, StringComparer.Ordinal).ToList(),
            rows[(a.Id, CredentialKind.Secret)].ToList())
        {
            Keys = rows[(a.Id, CredentialKind.Key)].ToList(),
            FederatedIdentities = rows[(a.Id, CredentialKind.FederatedIdentity)].ToList(),
            Policy = AuthenticationPolicies.Effective(a.AllowedCredentialKinds, a.AuthenticationPolicy),
            Managers = managers[a.Id].ToList(),
        }).ToList();

        if (Total == 0 && !IsAdministrator)
        {
            // "Whom to ask": the administrators.
            Administrators = await (from ur in db.UserRoles
                                    join r in db.Roles on ur.RoleId equals r.Id
                                    join u in db.Users on ur.UserId equals u.Id
                                    where r.NormalizedName == PortalRole.AdministratorKey && !u.IsDisabled
                                    orderby u.Email
                                    select u.Email!).Take(5).ToListAsync(cancellationToken);
        }
    }

    public CredentialStatus StatusOf(CredentialRow secret) => ClientCredential.StatusOf(secret.DisabledAt, secret.ExpiresAt, Now);

    /// <summary>No credential can obtain tokens: every one disabled, expired or not allowed by the application's policy.</summary>
    public bool HasNoActiveCredential(ApplicationView application)
    {
        ArgumentNullException.ThrowIfNull(application);
        return !application.All
            .Any(s => StatusOf(s) == CredentialStatus.Active && application.Policy.Allows(s.Kind));
    }

    public int DaysLeft(CredentialRow secret) => CredentialExpiryPolicy.DaysLeft(secret.ExpiresAt, Now);

    public Pager Pager => Pager.Numbered("/manage-api-credentials", Paging, RouteFor);

    /// <summary>The current filters with another page number, for the pager links.</summary>
    public IDictionary<string, string?> RouteFor(int page) => new Dictionary<string, string?>
    {
        ["Search"] = Search,
        ["OrganisationId"] = OrganisationId?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [Pager.PageParameter] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["usage"] = UsageDays == UsageQueries.ChartDays[0] ? null : UsageDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>This page with the usage charts over <paramref name="days"/> days, back at the application's card.</summary>
    public string UsageLink(int days, int applicationId) =>
        "/manage-api-credentials" + new Microsoft.AspNetCore.Http.Extensions.QueryBuilder(
            RouteFor(Paging.Number).Where(p => p.Key != "usage" && p.Value is not null)
                .Append(new("usage", days.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .Select(p => new KeyValuePair<string, string>(p.Key, p.Value!))) + $"#usage-{applicationId}";
}

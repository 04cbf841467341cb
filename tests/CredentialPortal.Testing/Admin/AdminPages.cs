using System.Globalization;
using CredentialPortal.Core.Applications;
using CredentialPortal.Testing.Account;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Testing.Admin;

/// <summary>
/// The administration pages as an administrator uses them (organisations, applications and their managers, users), so
/// that tests say what they do and the forms, handlers and selectors live in one place.
/// </summary>
public sealed class AdminPages(PortalClient admin)
{
    public static string ApplicationPath(int applicationId) => "/admin/applications/" + applicationId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Submits the organisation form (new at <c>/admin/organisations/create</c>, or an edit page's address).</summary>
    public async Task<HtmlPage> SubmitOrganisationAsync(string url, string name, string country, bool active = true)
    {
        var values = new Dictionary<string, string> { ["Input.Name"] = name, ["Input.CountryCode"] = country };
        if (!active)
        {
            values["Input.IsActive"] = "false";
        }

        return await admin.SubmitAsync(await admin.GetAsync(url), values);
    }

    /// <summary>
    /// Confirms an organisation form that asked for a second confirmation (deactivation); the country is a list, which
    /// a submit does not carry over, so it is chosen again.
    /// </summary>
    public Task<HtmlPage> ConfirmOrganisationAsync(HtmlPage confirmation, string country) =>
        admin.SubmitAsync(confirmation, new Dictionary<string, string> { ["Input.CountryCode"] = country });

    public Task<HtmlPage> CreateOrganisationAsync(string name, string country) => SubmitOrganisationAsync("/admin/organisations/create", name, country);

    /// <summary>Creates an application through the form (an empty name: the proposed one), optionally with its first secret.</summary>
    public async Task<HtmlPage> CreateApplicationAsync(int organisationId, string api, string name = "", bool sandboxOnly = false,
        IReadOnlyList<string>? permissions = null, string? firstSecret = null, string notificationEmails = "",
        AllowedKinds policy = AllowedKinds.All)
    {
        var form = await NewApplicationFormAsync(organisationId);
        var fields = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", AntiforgeryToken(form)),
            new("Input.OrganisationId", organisationId.ToString(CultureInfo.InvariantCulture)),
            new("Input.ApiCode", api),
            new("Input.IsSandboxOnly", sandboxOnly ? "true" : "false"),
            new("Input.Name", name),
            new("Input.IsActive", "true"),
            new("Input.CredentialLimit", "10"),
            new("Input.NotificationEmails", notificationEmails),
            new("Input.AllowedKinds", ((int)policy).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        // Checkbox lists repeat a name; post them explicitly.
        fields.AddRange((permissions ?? []).Select(p => new KeyValuePair<string, string>("Input.Permissions", p)));
        if (firstSecret is not null)
        {
            fields.Add(new("Input.CreateFirstSecret", "true"));
            fields.Add(new("Input.FirstSecretName", firstSecret));
            fields.Add(new("Input.FirstSecretExpiry", "2027-06-01"));
        }

        return await admin.PostAsync("/admin/applications/create", fields);
    }

    public Task<HtmlPage> NewApplicationFormAsync(int organisationId) =>
        admin.GetAsync($"/admin/applications/create?organisationId={organisationId.ToString(CultureInfo.InvariantCulture)}");

    public Task<HtmlPage> ApplicationAsync(int applicationId) => admin.GetAsync(ApplicationPath(applicationId));

    /// <summary>Changes fields of an application's form (as shown now) and saves it.</summary>
    public async Task<HtmlPage> SaveApplicationAsync(int applicationId, IDictionary<string, string> changes) =>
        await SaveApplicationAsync(await ApplicationAsync(applicationId), changes);

    /// <summary>Changes fields of an application's form as it was shown earlier (the test loaded it) and saves it.</summary>
    public Task<HtmlPage> SaveApplicationAsync(HtmlPage applicationPage, IDictionary<string, string> changes) => admin.SubmitAsync(applicationPage, changes);

    /// <summary>Unticks "active" on the application form (shown now, or as <paramref name="shown"/> earlier) and saves it.</summary>
    public async Task<HtmlPage> DeactivateApplicationAsync(int applicationId, HtmlPage? shown = null) =>
        await SaveApplicationAsync(shown ?? await ApplicationAsync(applicationId),
            new Dictionary<string, string> { ["Input.IsActive"] = "false", ["Input.NotificationEmails"] = "" });

    /// <summary>
    /// Chooses an authentication policy on the application form and saves it. A change that stops credentials comes
    /// back as a warning, which <paramref name="warned"/> (that page) confirms when given.
    /// </summary>
    public async Task<HtmlPage> SetAuthenticationPolicyAsync(int applicationId, AllowedKinds policy, HtmlPage? warned = null) =>
        await SaveApplicationAsync(warned ?? await ApplicationAsync(applicationId),
            new Dictionary<string, string> { ["Input.AllowedKinds"] = ((int)policy).ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public async Task<HtmlPage> AssignManagerAsync(int applicationId, Guid userId) =>
        await admin.SubmitAsync(await ApplicationAsync(applicationId), new Dictionary<string, string> { ["ManagerUserId"] = userId.ToString() },
            "form[action*='handler=AddManager']");

    /// <summary>Removes the first manager listed on the application page.</summary>
    public async Task<HtmlPage> RemoveFirstManagerAsync(HtmlPage applicationPage) =>
        await admin.SubmitAsync(applicationPage, formSelector: "form[action*='handler=RemoveManager']");

    /// <summary>Presses the Remove button of one manager on the application page.</summary>
    public async Task<HtmlPage> RemoveManagerAsync(int applicationId, Guid userId)
    {
        var token = AntiforgeryToken(await ApplicationAsync(applicationId));
        return await admin.PostAsync(ApplicationPath(applicationId) + "?handler=RemoveManager",
            [new("__RequestVerificationToken", token), new("ManagerUserId", userId.ToString())]);
    }

    public static string UserPath(Guid userId) => $"/admin/users/{userId}/edit";

    public Task<HtmlPage> UserAsync(Guid userId) => admin.GetAsync(UserPath(userId));

    /// <summary>Changes a user's email address and/or name on their page and saves it, whatever the outcome.</summary>
    public async Task<HtmlPage> SaveUserAsync(Guid userId, string? email = null, string? displayName = null)
    {
        var values = new Dictionary<string, string>();
        if (email is not null)
        {
            values["Input.Email"] = email;
        }

        if (displayName is not null)
        {
            values["Input.DisplayName"] = displayName;
        }

        return await admin.SubmitAsync(await UserAsync(userId), values);
    }

    /// <summary>Whether a user's page offers to delete them (only someone who never signed in).</summary>
    public static bool OffersDeleteUser(HtmlPage userPage)
    {
        ArgumentNullException.ThrowIfNull(userPage);
        return userPage.Document.QuerySelector(DeleteUserForm) is not null;
    }

    /// <summary>Deletes a user with their page's button.</summary>
    public async Task<HtmlPage> DeleteUserAsync(Guid userId) => await admin.SubmitAsync(await UserAsync(userId), formSelector: DeleteUserForm);

    /// <summary>Posts the delete handler of a user's page even where the page offers no button (to see it refused).</summary>
    public async Task<HtmlPage> PostDeleteUserAsync(Guid userId) =>
        await admin.PostAsync(UserPath(userId) + "?handler=Delete", [new("__RequestVerificationToken", AntiforgeryToken(await UserAsync(userId)))]);

    /// <summary>Fills in the invitation form and submits it, whatever the outcome (see <c>AccountStories.InviteAsync</c> for one that must succeed).</summary>
    public async Task<HtmlPage> SubmitInvitationAsync(int organisationId, string email, string displayName) =>
        await admin.SubmitAsync(await admin.GetAsync($"/Admin/Users/Invite?organisationId={organisationId.ToString(CultureInfo.InvariantCulture)}"),
            new Dictionary<string, string> { ["Input.Email"] = email, ["Input.DisplayName"] = displayName });

    /// <summary>Whether a page links to a user's page (as a refused invitation does, to the user already invited).</summary>
    public static bool LinksToUser(HtmlPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.Document.QuerySelector("a[href^='/admin/users/'][href$='/edit']") is not null;
    }

    /// <summary>The application name parts the create form offers per API (organisation country and name, ASCII).</summary>
    public async Task<string> ProposedNamePartsAsync(int organisationId)
    {
        var form = await NewApplicationFormAsync(organisationId);
        return form.Document.QuerySelector("select[data-name-parts]")?.GetAttribute("data-name-parts") ?? throw new InvalidOperationException($"No name parts on {form}");
    }

    /// <summary>One of the users list's actions (<c>Disable</c>, <c>Unlock</c>, <c>ResetMfa</c>, <c>MakeAdministrator</c> …) on a user.</summary>
    public async Task<HtmlPage> UserActionAsync(string handler, Guid userId) => await (await UserActionReadyAsync(handler, userId))();

    /// <summary>
    /// Opens the users list and returns the action's button press, ready to send (and to send again): for tests that
    /// send two at the same moment, with nothing else in between.
    /// </summary>
    public async Task<Func<Task<HtmlPage>>> UserActionReadyAsync(string handler, Guid userId)
    {
        var token = AntiforgeryToken(await admin.GetAsync("/admin/users"));
        return () => admin.PostAsync($"/admin/users?handler={handler}", [new("__RequestVerificationToken", token), new("UserId", userId.ToString())]);
    }

    /// <summary>The applications list filtered by a search text (name or client id).</summary>
    public Task<HtmlPage> ApplicationsAsync(string search) => admin.GetAsync("/admin/applications?Search=" + Uri.EscapeDataString(search));

    /// <summary>The audit log with filters as typed into the address bar (<c>Actor=x&amp;page=2</c>).</summary>
    public Task<HtmlPage> AuditAsync(string query) => admin.GetAsync(AuditPath + "?" + query);

    /// <summary>The audit log's CSV export with the same filters.</summary>
    public Task<HttpResponseMessage> AuditCsvAsync(string query) => admin.Http.GetAsync(AuditPath + "?handler=Csv&" + query);

    /// <summary>Follows a link of a list's pager (<c>Next</c>, <c>Previous</c>, <c>Older</c>, <c>Newer</c>).</summary>
    public async Task<HtmlPage> FollowPagerAsync(HtmlPage list, string label) =>
        await admin.GetAsync(PagerLink(list, label) ?? throw new InvalidOperationException($"No '{label}' link on {list}"));

    /// <summary>The pager's text ("Page 2 of 3 …").</summary>
    public static string PagerText(HtmlPage list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.Document.QuerySelector(".pager")?.TextContent ?? throw new InvalidOperationException($"No pager on {list}");
    }

    /// <summary>The address of the pager link whose text has <paramref name="label"/>, or <c>null</c> when there is none.</summary>
    public static string? PagerLink(HtmlPage list, string label)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.Document.QuerySelectorAll(".pager a").FirstOrDefault(a => a.TextContent.Contains(label, StringComparison.Ordinal))?.GetAttribute("href");
    }

    /// <summary>How many rows a list's table shows.</summary>
    public static int RowCount(HtmlPage list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.Document.QuerySelectorAll("tbody tr").Length;
    }

    /// <summary>The text of a list's table rows (without its headings).</summary>
    public static string TableText(HtmlPage list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.Document.QuerySelector("tbody")?.TextContent ?? throw new InvalidOperationException($"No table on {list}");
    }

    /// <summary>The count on one of the dashboard's tiles, by its id (<c>few-managers</c>, <c>cannot-obtain-tokens</c> …).</summary>
    public static int DashboardCount(HtmlPage dashboard, string tile)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        var count = dashboard.Document.QuerySelector($"#tile-{tile} .count") ?? throw new InvalidOperationException($"No tile {tile} on {dashboard}");
        return int.Parse(count.TextContent, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The dashboard's tiles ("3 active applications …"), as shown.</summary>
    public static IReadOnlyList<string> DashboardTiles(HtmlPage dashboard)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        return dashboard.Document.QuerySelectorAll(".tile").Select(t => t.TextContent.Trim()).ToList();
    }

    /// <summary>The details column of the audit log's rows, in the order shown.</summary>
    public static IReadOnlyList<string> AuditDetails(HtmlPage log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return log.Document.QuerySelectorAll("tbody tr td:last-child").Select(td => td.TextContent.Trim()).ToList();
    }

    /// <summary>The warning the application form shows beside a credential limit that leaves no room to rotate, or <c>null</c>.</summary>
    public static string? CredentialLimitWarning(HtmlPage applicationPage)
    {
        ArgumentNullException.ThrowIfNull(applicationPage);
        return applicationPage.Document.QuerySelector(".warning-text")?.TextContent;
    }

    private const string AuditPath = "/admin/audit";
    private const string DeleteUserForm = "form[action*='handler=Delete']";

    public static string AntiforgeryToken(HtmlPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.Document.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value") ?? "";
    }
}

/// <summary>Ids a test needs to name what it just made through the pages.</summary>
public static class PortalIds
{
    public static async Task<int> ApplicationIdAsync(this PortalFactory portal, string name)
    {
        ArgumentNullException.ThrowIfNull(portal);
        await using var db = portal.CreateDbContext();
        return await db.Applications.Where(a => a.Name == name).Select(a => a.Id).SingleAsync();
    }

    public static async Task<string> ClientIdAsync(this PortalFactory portal, int applicationId)
    {
        ArgumentNullException.ThrowIfNull(portal);
        await using var db = portal.CreateDbContext();
        return await db.Applications.Where(a => a.Id == applicationId).Select(a => a.ClientId).SingleAsync();
    }

    public static async Task<int> OrganisationIdAsync(this PortalFactory portal, string name)
    {
        ArgumentNullException.ThrowIfNull(portal);
        await using var db = portal.CreateDbContext();
        return await db.Organisations.Where(o => o.Name == name).Select(o => o.Id).SingleAsync();
    }

    public static async Task<Guid> UserIdAsync(this PortalFactory portal, string email)
    {
        ArgumentNullException.ThrowIfNull(portal);
        await using var db = portal.CreateDbContext();
        var normalized = email.ToUpperInvariant();
        return await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).SingleAsync();
    }
}

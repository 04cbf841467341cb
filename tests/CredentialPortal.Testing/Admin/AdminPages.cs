using System.Globalization;
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

    public Task<HtmlPage> CreateOrganisationAsync(string name, string country) => SubmitOrganisationAsync("/admin/organisations/create", name, country);

    /// <summary>Creates an application through the form (an empty name: the proposed one), optionally with its first secret.</summary>
    public async Task<HtmlPage> CreateApplicationAsync(int organisationId, string api, string name = "", bool sandboxOnly = false,
        IReadOnlyList<string>? permissions = null, string? firstSecret = null, string notificationEmails = "")
    {
        var form = await admin.GetAsync($"/admin/applications/create?organisationId={organisationId.ToString(CultureInfo.InvariantCulture)}");
        var fields = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", AntiforgeryToken(form)),
            new("Input.OrganisationId", organisationId.ToString(CultureInfo.InvariantCulture)),
            new("Input.ApiCode", api),
            new("Input.IsSandboxOnly", sandboxOnly ? "true" : "false"),
            new("Input.Name", name),
            new("Input.IsActive", "true"),
            new("Input.SecretLimit", "10"),
            new("Input.NotificationEmails", notificationEmails),
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

    public Task<HtmlPage> ApplicationAsync(int applicationId) => admin.GetAsync(ApplicationPath(applicationId));

    /// <summary>Changes fields of an application's form (as shown now) and saves it.</summary>
    public async Task<HtmlPage> SaveApplicationAsync(int applicationId, IDictionary<string, string> changes) =>
        await admin.SubmitAsync(await ApplicationAsync(applicationId), changes);

    public async Task<HtmlPage> AssignManagerAsync(int applicationId, Guid userId) =>
        await admin.SubmitAsync(await ApplicationAsync(applicationId), new Dictionary<string, string> { ["ManagerUserId"] = userId.ToString() },
            "form[action*='handler=AddManager']");

    /// <summary>Removes the first manager listed on the application page.</summary>
    public async Task<HtmlPage> RemoveFirstManagerAsync(HtmlPage applicationPage) =>
        await admin.SubmitAsync(applicationPage, formSelector: "form[action*='handler=RemoveManager']");

    /// <summary>One of the users list's actions (<c>Disable</c>, <c>Unlock</c>, <c>ResetMfa</c>, <c>MakeAdministrator</c> …) on a user.</summary>
    public async Task<HtmlPage> UserActionAsync(string handler, Guid userId)
    {
        var page = await admin.GetAsync("/admin/users");
        return await admin.PostAsync($"/admin/users?handler={handler}",
            [new("__RequestVerificationToken", AntiforgeryToken(page)), new("UserId", userId.ToString())]);
    }

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

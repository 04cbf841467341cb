using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CredentialPortal.BrowserTests;

/// <summary>Issue 19 item 18: axe-core (WCAG 2.1 A and AA) over every page an administrator reaches.</summary>
public sealed class AccessibilityTests
{
    internal static readonly AxeRunOptions Wcag21 = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    [Fact]
    public async Task No_page_an_administrator_reaches_has_a_serious_or_critical_violation()
    {
        var violations = new List<string>();
        var checkedPages = new List<string>();
        async Task CheckAsync(IPage page, string name)
        {
            checkedPages.Add(name);
            var result = await page.RunAxe(Wcag21);
            violations.AddRange(result.Violations.Where(v => v.Impact is "serious" or "critical")
                .Select(v => $"{name}: {v.Id} ({v.Impact}) at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}"));
            foreach (var width in AdminLayoutTests.Widths)
            {
                await page.SetViewportSizeAsync(width, 900);
                await Browser.ScreenshotAsync(page, $"axe-{name}-{width}");
            }

            await page.SetViewportSizeAsync(1280, 900);
        }

        await using var admin = await AdminBrowser.StartAsync(signInPage: CheckAsync);
        var application = admin.ApplicationIds[0];
        int organisation, secret;
        await using (var db = admin.Portal.CreateDbContext())
        {
            organisation = db.Applications.Single(a => a.Id == application).OrganisationId;
            secret = db.ClientSecrets.First(s => s.ApplicationId == application && s.DisabledAt == null).Id;
        }

        foreach (var (path, name) in new[]
        {
            ("/", "home"),
            ("/admin", "admin-dashboard"),
            ("/admin/organisations", "admin-organisations"),
            ("/admin/organisations/create", "admin-organisation-create"),
            ($"/admin/organisations/{organisation}", "admin-organisation-edit"),
            ("/admin/applications", "admin-applications"),
            ($"/admin/applications/create?organisationId={organisation}", "admin-application-create"),
            ($"/admin/applications/{application}", "admin-application-edit"),
            ("/admin/users", "admin-users"),
            ($"/Admin/Users/Invite?organisationId={organisation}", "admin-invite"),
            ($"/admin/users/{admin.PendingUserId}/edit", "admin-user-edit"),
            ("/admin/audit", "admin-audit"),
            ("/manage-api-credentials", "credentials"),
            ($"/manage-api-credentials/{application}/history", "credentials-history"),
            ($"/manage-api-credentials/{application}/secrets/new", "credentials-new-secret"),
            ($"/manage-api-credentials/{application}/secrets/{secret}/disable", "credentials-disable"),
            ($"/manage-api-credentials/{application}/secrets/{secret}/delete", "credentials-delete"),
            ("/Account", "account"),
            ("/Account/ChangePassword", "account-change-password"),
            ("/no/such/page", "not-found"),
        })
        {
            await admin.GotoAsync(path);
            await CheckAsync(admin.Page, name);
        }

        Assert.True(checkedPages.Count >= 23, string.Join(", ", checkedPages));
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }
}

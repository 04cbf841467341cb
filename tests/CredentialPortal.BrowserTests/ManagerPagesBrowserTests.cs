using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CredentialPortal.BrowserTests;

/// <summary>
/// Issue 29 items 12–15 as Chromium shows them: dates stay in the one format with its zone (no script re-renders them in
/// the reader's locale), the expiry presets set the date field, the favicon loads, a security email fits a phone, and
/// screenshots of the changed pages at phone and desktop widths.
/// </summary>
public sealed partial class ManagerPagesBrowserTests
{
    // A locale and zone whose own rendering ("6 Dec 2026, 16:03") would differ from the portal's.
    private static readonly BrowserNewContextOptions Reader = new() { Locale = "en-GB", TimezoneId = "Europe/Amsterdam" };

    [Fact]
    public async Task Every_date_reads_in_the_one_format_with_its_zone_whatever_the_readers_locale()
    {
        await using var admin = await AdminBrowser.StartAsync(Reader);
        var applicationId = admin.ApplicationIds[0];
        await admin.GotoAsync($"/manage-api-credentials/{applicationId}/secrets/new");
        await admin.Page.FillAsync("#Input_Name", "Dated");
        await admin.Page.ClickAsync("main form button[type=submit]");
        await Expect(admin.Page.Locator(".new-secret")).ToBeVisibleAsync();

        foreach (var path in new[] { "/manage-api-credentials", $"/manage-api-credentials/{applicationId}/history", "/admin/users", "/admin/audit" })
        {
            await admin.GotoAsync(path);
            var times = await admin.Page.Locator("main time").AllInnerTextsAsync();
            Assert.NotEmpty(times);
            Assert.All(times, text => Assert.Matches(OneFormat(), text));
        }
    }

    [Fact]
    public async Task A_preset_sets_the_expiry_date_and_the_secret_expires_then()
    {
        await using var admin = await AdminBrowser.StartAsync(Reader);
        var page = admin.Page;
        var applicationId = admin.ApplicationIds[0];
        var in90Days = DateOnly.FromDateTime(admin.Portal.Time.GetUtcNow().UtcDateTime).AddDays(90).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        await admin.GotoAsync($"/manage-api-credentials/{applicationId}/secrets/new");
        await Expect(page.Locator(".expiry-presets")).ToBeVisibleAsync();
        await page.FillAsync("#Input_Name", "Ninety days");
        await page.ClickAsync(".expiry-presets button:has-text('90 days')");

        Assert.Equal(in90Days, await page.InputValueAsync("#Input_ExpiresOn"));
        await Expect(page.Locator(".expiry-presets button:has-text('90 days')")).ToHaveAttributeAsync("aria-pressed", "true");
        await page.ClickAsync("main form button[type=submit]");
        await Expect(page.Locator(".new-secret")).ToContainTextAsync($"Expires {in90Days} 00:00 UTC.");
        // The favicon is a static asset like site.css: it loads.
        Assert.Equal(200, await page.EvaluateAsync<int>("fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)"));
    }

    [Fact]
    public async Task Without_script_the_presets_stay_hidden_and_the_date_field_works_alone()
    {
        await using var admin = await AdminBrowser.StartAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        await admin.GotoAsync($"/manage-api-credentials/{admin.ApplicationIds[0]}/secrets/new");

        await Expect(admin.Page.Locator(".expiry-presets")).ToBeHiddenAsync();
        await Expect(admin.Page.Locator("#Input_ExpiresOn")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_security_email_with_a_key_thumbprint_fits_a_phone_screen()
    {
        await using var admin = await AdminBrowser.StartAsync(Reader);
        var page = admin.Page;
        var applicationId = admin.ApplicationIds[0];
        await MakeManagerAsync(admin, applicationId);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await admin.GotoAsync($"/manage-api-credentials/{applicationId}/keys/new");
        await page.FillAsync("#Input_Name", "Key of the partner system");
        await page.FillAsync("#Input_Key", ec.ExportSubjectPublicKeyInfoPem());
        await page.ClickAsync("main form button[type=submit]");
        await Expect(page.Locator("main")).ToContainTextAsync("is added");
        await admin.Portal.RunNextPassAsync<OutboxSender>();
        var email = admin.Portal.Mail.All().Single(m => m.Subject.StartsWith("Client key added", StringComparison.Ordinal));

        // A page of its own, as a mail client shows the message: the portal's page would apply the portal's CSP to it.
        var reader = await page.Context.NewPageAsync();
        await reader.SetViewportSizeAsync(390, 844);
        await reader.SetContentAsync(email.HtmlBody);
        await Browser.ScreenshotAsync(reader, "email-key-added-390");

        Assert.True(await reader.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            $"the email is {await reader.EvaluateAsync<int>("document.documentElement.scrollWidth")} px wide at 390 px");
    }

    [Fact]
    public async Task Screenshots_of_the_changed_pages_at_phone_and_desktop_widths()
    {
        await using var admin = await AdminBrowser.StartAsync(Reader);
        var page = admin.Page;
        var applicationId = admin.ApplicationIds[0];
        await MakeManagerAsync(admin, applicationId);
        int deleted;
        await using (var db = admin.Portal.CreateDbContext())
        {
            deleted = await db.ClientSecrets.Where(s => s.ApplicationId == applicationId && s.Name == "Expired").Select(s => s.Id).SingleAsync();
        }

        await admin.GotoAsync($"/manage-api-credentials/{applicationId}/secrets/{deleted}/delete");
        await page.ClickAsync("button:has-text('Delete secret')");
        await Expect(page.Locator("main")).ToContainTextAsync("is deleted");
        await admin.Portal.RunNextPassAsync<OutboxSender>();

        foreach (var width in AdminLayoutTests.Widths)
        {
            await page.SetViewportSizeAsync(width, 900);
            foreach (var (name, path) in new[]
            {
                ("manager-credentials", "/manage-api-credentials"),
                ("manager-history", $"/manage-api-credentials/{applicationId}/history"),
                ("manager-new-secret", $"/manage-api-credentials/{applicationId}/secrets/new"),
                ("manager-new-key", $"/manage-api-credentials/{applicationId}/keys/new"),
                ("manager-deleted-secret", $"/manage-api-credentials/{applicationId}/secrets/{deleted}/delete"),
                ("manager-home", "/"),
            })
            {
                await admin.GotoAsync(path);
                await Browser.ScreenshotAsync(page, $"{name}-{width}");
                Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth + 1"), $"horizontal scroll on {path} at {width}px");
            }
        }

        await page.SetViewportSizeAsync(1280, 900);
        await admin.GotoAsync("/manage-api-credentials");
        await page.ClickAsync("summary:has-text('Connect your system')");
        await Browser.ScreenshotAsync(page, "manager-snippets-1280");
    }

    /// <summary>Makes the seeded long-named user a credential manager of the application, so that the pages list a colleague and emails go out.</summary>
    private static async Task MakeManagerAsync(AdminBrowser admin, int applicationId)
    {
        await using var db = admin.Portal.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.DisplayName == "Wilhelmina van der Berg-Oosterhuis");
        db.CredentialManagers.Add(new CredentialManagerAssignment
        {
            UserId = user.Id, ApplicationId = applicationId, AssignedAt = admin.Portal.Time.GetUtcNow().UtcDateTime, AssignedBy = "test",
        });
        await db.SaveChangesAsync();
    }

    /// <summary>"2026-12-06 15:03 UTC", or a relative time ("3 days ago") whose exact instant is on hover.</summary>
    [GeneratedRegex(@"^(\d{4}-\d\d-\d\d \d\d:\d\d UTC|just now|\d+ (minute|hour|day|month)s? ago)$")]
    private static partial Regex OneFormat();
}

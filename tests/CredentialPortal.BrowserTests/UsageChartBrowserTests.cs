using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Usage;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using Microsoft.Playwright;

namespace CredentialPortal.BrowserTests;

/// <summary>The usage charts in Chromium at a phone's and a desktop's width: drawn, inside the page, no CSP violation.</summary>
public sealed class UsageChartBrowserTests
{
    private static readonly string[] SecretNames = ["Production system", "New production system"];

    [Fact]
    public async Task The_usage_chart_fits_390_and_1280_pixels_without_breaking_the_content_security_policy()
    {
        await using var portal = await PortalFactory.StartAsync(realServer: true,
            settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        var (_, ids) = await portal.CreateOrganisationAsync("DemoOrg", "DM");
        var applicationId = ids[0];
        var now = portal.Time.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        await using (var db = portal.CreateDbContext())
        {
            var secrets = SecretNames.Select(name => new ClientSecret
            {
                ApplicationId = applicationId, Name = name, Hash = SecretGenerator.Hash(name), Hint = SecretFormat.HintOf(SecretGenerator.NewSecret().Value),
                CreatedAt = now, CreatedBy = "tests", ExpiresAt = now.AddDays(200),
            }).ToList();
            db.ClientSecrets.AddRange(secrets);
            await db.SaveChangesAsync();
            // A rotation in the middle of the month: the old secret's traffic moves to the new one over three days.
            for (var age = 29; age >= 0; age--)
            {
                var share = Math.Clamp((15 - age) / 3.0, 0, 1);
                var total = 800 + (age * 37 % 300);
                db.UsageCounts.Add(new UsageCount { Day = today.AddDays(-age), ApplicationId = applicationId, CredentialId = secrets[0].Id, Count = (long)(total * (1 - share)) });
                db.UsageCounts.Add(new UsageCount { Day = today.AddDays(-age), ApplicationId = applicationId, CredentialId = secrets[1].Id, Count = (long)(total * share) });
                if (age % 6 == 2)
                {
                    db.UsageCounts.Add(new UsageCount { Day = today.AddDays(-age), ApplicationId = applicationId, FailureReason = "expired_secret", Count = 5 + age });
                }
            }

            await db.SaveChangesAsync();
        }

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };
        var url = (string path) => new Uri(portal.ServerAddress, path).ToString();
        await page.GotoAsync(url("/Account/Login"));
        await page.FillAsync("#Input_Email", PortalFactory.AdminEmail);
        await page.FillAsync("#Input_Password", PortalFactory.AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/Account/Enrol**");
        var key = (await page.InnerTextAsync("#authenticator-key")).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        await page.FillAsync("#Code", new AuthenticatorApp(key, portal.Time).NextCode());
        await page.ClickAsync("main form[method=post] button[type=submit]");
        await page.WaitForSelectorAsync("#recovery-codes");

        foreach (var width in new[] { 1280, 390 })
        {
            await page.SetViewportSizeAsync(width, 900);
            await page.GotoAsync(url("/manage-api-credentials"));
            var chart = page.Locator($"#usage-chart-{applicationId} > svg");
            var box = await chart.BoundingBoxAsync() ?? throw new InvalidOperationException("The chart is not drawn.");
            Assert.True(box.X >= 0 && box.X + box.Width <= width, $"chart {box.X}+{box.Width} at {width} px");
            Assert.True(box.Height > 60, $"chart height {box.Height} at {width} px");
            Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= width, $"the page scrolls sideways at {width} px");
            // One bar segment per day and credential with tokens (the rotation's days have two), plus the legend's swatches.
            Assert.True(await page.Locator($"#usage-chart-{applicationId} > svg rect[class^=series-]").CountAsync() > 30);
            Directory.CreateDirectory(Browser.ScreenshotDirectory);
            await page.Locator($"#usage-{applicationId}").ScrollIntoViewIfNeededAsync();
            await page.Locator($"#usage-{applicationId}").ScreenshotAsync(new LocatorScreenshotOptions
            {
                Path = Path.Combine(Browser.ScreenshotDirectory, $"usage-chart-{width}.png"),
            });
        }

        await page.SetViewportSizeAsync(1280, 900);
        await page.GotoAsync(url("/admin"));
        var dashboard = await page.Locator("#usage-all > svg").BoundingBoxAsync() ?? throw new InvalidOperationException("No dashboard chart.");
        Assert.True(dashboard.Width > 300);
        Assert.Contains("DemoOrg", await page.InnerTextAsync("table.most-failures"), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "usage-dashboard-1280");
        Assert.Empty(violations);
    }
}

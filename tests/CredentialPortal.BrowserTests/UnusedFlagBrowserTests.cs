using CredentialPortal.Core.Credentials;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using Microsoft.Playwright;

namespace CredentialPortal.BrowserTests;

/// <summary>The "Unused" flags (issue 35 item 2) in Chromium at a phone's and a desktop's width: in words, inside the page.</summary>
public sealed class UnusedFlagBrowserTests
{
    [Fact]
    public async Task Unused_credentials_are_flagged_in_words_at_390_and_1280_pixels()
    {
        await using var portal = await PortalFactory.StartAsync(realServer: true,
            settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        var (_, ids) = await portal.CreateOrganisationAsync("DemoOrg", "DM");
        var applicationId = ids[0];
        var now = portal.Time.GetUtcNow().UtcDateTime;
        await using (var db = portal.CreateDbContext())
        {
            // (name, created days ago, last used days ago)
            (string Name, int Created, int? Used)[] secrets = [("Batch job, never used", 120, null), ("Old integration", 300, 100), ("Production system", 300, 0)];
            db.ClientSecrets.AddRange(secrets.Select(s => new ClientSecret
            {
                ApplicationId = applicationId, Name = s.Name, Hash = SecretGenerator.Hash(s.Name), Hint = SecretFormat.HintOf(SecretGenerator.NewSecret().Value),
                CreatedAt = now.AddDays(-s.Created), LastUsedAt = s.Used is { } used ? now.AddDays(-used).AddHours(-2) : null, CreatedBy = "tests",
                ExpiresAt = now.AddDays(200),
            }));
            await db.SaveChangesAsync();
        }

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
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
            var notes = page.Locator("table.secrets .unused-note");
            Assert.Equal(2, await notes.CountAsync());
            Assert.Equal(
                [
                    "Unused Never used in the 120 days since it was created: if nothing needs it any more, delete it.",
                    $"Unused Not used for 100 days (last used {Core.PortalText.Time(now.AddDays(-100).AddHours(-2))}): if nothing needs it any more, delete it.",
                ],
                (await notes.AllInnerTextsAsync()).Select(t => string.Join(' ', t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))).Order(StringComparer.Ordinal));
            for (var i = 0; i < 2; i++)
            {
                var box = await notes.Nth(i).BoundingBoxAsync() ?? throw new InvalidOperationException("The flag is not shown.");
                Assert.True(box.X >= 0 && box.X + box.Width <= width, $"flag {box.X}+{box.Width} at {width} px");
            }

            Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= width, $"the page scrolls sideways at {width} px");
            Directory.CreateDirectory(Browser.ScreenshotDirectory);
            await page.Locator("table.secrets").ScrollIntoViewIfNeededAsync();
            await page.Locator("table.secrets").ScreenshotAsync(new LocatorScreenshotOptions
            {
                Path = Path.Combine(Browser.ScreenshotDirectory, $"unused-flags-{width}.png"),
            });
        }
    }
}

using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Web.Hosting;

namespace CredentialPortal.BrowserTests;

public sealed class SignInTests
{
    [Fact]
    public async Task The_administrator_enrols_from_the_page_signs_out_and_signs_in_with_a_code()
    {
        await using var portal = await PortalFactory.StartAsync(realServer: true);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var cspViolations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                cspViolations.Add(message.Text);
            }
        };

        await page.GotoAsync(new Uri(portal.ServerAddress, "/Account/Login").ToString());
        await page.FillAsync("#Input_Email", PortalFactory.AdminEmail);
        await page.FillAsync("#Input_Password", PortalFactory.AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/Account/Enrol**");
        Assert.True(await page.IsVisibleAsync(".qr svg"));
        await Browser.ScreenshotAsync(page, "signin-enrol");

        var key = (await page.InnerTextAsync("#authenticator-key")).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        var app = new AuthenticatorApp(key, portal.Time);
        await page.FillAsync("#Code", app.NextCode());
        await page.ClickAsync("main form[method=post] button[type=submit]");
        await page.WaitForSelectorAsync("#recovery-codes");
        var shownCodes = (await page.InnerTextAsync("#recovery-codes")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, shownCodes.Length);
        await Browser.ScreenshotAsync(page, "signin-recovery-codes");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-recovery-codes"));
        var downloaded = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Equal("credentialportal-recovery-codes.txt", download.SuggestedFilename);
        Assert.All(shownCodes, code => Assert.Contains(code.Trim(), downloaded, StringComparison.Ordinal));

        // The __Host- session cookie (Secure) is kept by Chromium on http://127.0.0.1, a potentially trustworthy origin.
        var cookies = await context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == IdentitySetup.SessionCookieName);
        Assert.True(session.Secure);
        Assert.True(session.HttpOnly);

        // The recovery-code page has a Sign out button of its own: wait for the page "continue" leads to, or the click
        // can land on the page being left while its navigation is still under way.
        await page.ClickAsync("text=I have saved them: continue");
        await Browser.WaitForSignedInAsync(page);
        await page.ClickAsync("header button:has-text('Sign out')");
        await page.WaitForURLAsync("**/Account/Login**");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == IdentitySetup.SessionCookieName);

        await page.FillAsync("#Input_Email", PortalFactory.AdminEmail);
        await page.FillAsync("#Input_Password", PortalFactory.AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/Account/LoginWithCode**");
        await page.FillAsync("#Code", app.NextCode());
        await page.ClickAsync("main form[method=post] button[type=submit]");
        await Browser.WaitForSignedInAsync(page);
        await Browser.ScreenshotAsync(page, "signin-signed-in");

        await page.GotoAsync(new Uri(portal.ServerAddress, "/Account").ToString());
        Assert.Equal("Your account", await page.InnerTextAsync("h1"));
        Assert.Empty(cspViolations);
    }
}

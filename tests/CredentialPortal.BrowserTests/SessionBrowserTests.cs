using static Microsoft.Playwright.Assertions;

namespace CredentialPortal.BrowserTests;

/// <summary>Issue 29 item 5: idle expiry warns first, "Stay signed in" keeps the session and the form, and expiry says so.</summary>
public sealed class SessionBrowserTests
{
    [Fact]
    public async Task Before_the_idle_timeout_the_page_warns_and_stay_signed_in_keeps_the_session_and_the_form()
    {
        await using var admin = await AdminBrowser.StartAsync();
        var page = admin.Page;
        // The page's timers run on Playwright's clock, the server's sessions on the portal's fake clock: both move together.
        await page.Clock.InstallAsync();
        await admin.GotoAsync("/admin/organisations/create");
        await page.FillAsync("#Input_Name", "Half typed");
        var warning = page.Locator("#session-warning");
        await Expect(warning).ToBeHiddenAsync();

        await page.Clock.FastForwardAsync("18:30");
        admin.Portal.Time.Advance(TimeSpan.FromMinutes(18.5));
        await Expect(warning).ToBeVisibleAsync();
        await Expect(warning).ToContainTextAsync("You will be signed out in 2 minutes because of inactivity");
        foreach (var width in AdminLayoutTests.Widths)
        {
            await page.SetViewportSizeAsync(width, 900);
            await Browser.ScreenshotAsync(page, $"session-warning-{width}");
        }

        await page.ClickAsync("#session-warning button:has-text('Stay signed in')");
        await Expect(warning).ToBeHiddenAsync();
        await Expect(page.Locator("#Input_Name")).ToHaveValueAsync("Half typed");

        // 19 minutes after "stay signed in": the session the server renewed is still there.
        await page.Clock.FastForwardAsync("19:00");
        admin.Portal.Time.Advance(TimeSpan.FromMinutes(19));
        await Expect(warning).ToBeVisibleAsync();

        // Ignored to the end: the page goes to the sign-in page, which says why and leads back afterwards.
        // The wait starts before the clock moves: started after, it could miss a navigation that commits while it checks the URL.
        admin.Portal.Time.Advance(TimeSpan.FromMinutes(2));
        var signedOut = page.WaitForURLAsync(url => url.Contains("/Account/Login", StringComparison.Ordinal));
        await page.Clock.FastForwardAsync("02:00");
        await signedOut;
        await Expect(page.Locator("#session-ended")).ToContainTextAsync("Your session ended after 20 minutes without activity");
        await Expect(page.Locator("#session-ended")).ToContainTextAsync("to go back to the page you were on");
        Assert.Contains("returnUrl=%2Fadmin%2Forganisations%2Fcreate", page.Url, StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "session-ended");
    }
}

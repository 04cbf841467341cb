using CredentialPortal.Testing;
using Microsoft.Playwright;

namespace CredentialPortal.BrowserTests;

/// <summary>
/// Debian's Chromium driven by Playwright (never "playwright install": the network is closed). Screenshots go to
/// <c>TestResults/screenshots</c> as test artifacts.
/// </summary>
public static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryFolder.Root, "TestResults", "screenshots");

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        Assert.SkipUnless(File.Exists(ChromiumPath), $"{ChromiumPath} is missing; ./test.sh installs Debian's chromium package.");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Root needs --no-sandbox; the rest keeps Chromium off the (closed) network.
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
        return (playwright, browser);
    }

    /// <summary>
    /// Waits for the page a finished sign-in lands on: the dashboard (administrators) or the credentials (managers); an
    /// administrator who must use a passkey is sent on from the dashboard to set one up or confirm with it.
    /// </summary>
    public static Task WaitForSignedInAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.WaitForURLAsync(url => new Uri(url).AbsolutePath is "/admin" or "/manage-api-credentials" or "/Account/Passkeys" or "/Account/ConfirmPasskey");
    }

    public static Task ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        Directory.CreateDirectory(ScreenshotDirectory);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }
}

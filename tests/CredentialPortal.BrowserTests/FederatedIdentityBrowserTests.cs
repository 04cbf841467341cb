using static Microsoft.Playwright.Assertions;

namespace CredentialPortal.BrowserTests;

/// <summary>
/// Trusting an issuer (administrators) and adding a federated identity from the GitHub Actions preset (credential
/// managers), in Chromium at phone and desktop widths (screenshots): the presets are links, the form needs no script.
/// </summary>
public sealed class FederatedIdentityBrowserTests
{
    private const string GitHubIssuer = "https://token.actions.githubusercontent.com";

    [Fact]
    public async Task An_administrator_trusts_GitHub_and_adds_a_workflow_from_the_preset()
    {
        await using var admin = await AdminBrowser.StartAsync();
        var page = admin.Page;
        var applicationId = admin.ApplicationIds[0];

        await page.SetViewportSizeAsync(1280, 900);
        await admin.GotoAsync("/admin/trusted-issuers");
        await page.FillAsync("#Issuer", GitHubIssuer);
        await page.ClickAsync("main form button:has-text('Trust issuer')");
        await Expect(page.Locator("main")).ToContainTextAsync(GitHubIssuer);
        foreach (var width in AdminLayoutTests.Widths)
        {
            await page.SetViewportSizeAsync(width, 900);
            await Browser.ScreenshotAsync(page, $"trusted-issuers-{width}");
        }

        await page.SetViewportSizeAsync(1280, 900);
        await admin.GotoAsync($"/manage-api-credentials/{applicationId}/federated-identities/new");
        await page.ClickAsync("nav[aria-label=Presets] a:has-text('GitHub Actions')");
        await Expect(page.Locator("#Input_Issuer")).ToHaveValueAsync(GitHubIssuer);
        foreach (var width in AdminLayoutTests.Widths)
        {
            await page.SetViewportSizeAsync(width, 900);
            await Browser.ScreenshotAsync(page, $"federated-new-{width}");
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth + 1"), $"horizontal scroll at {width}px");
        }

        await page.SetViewportSizeAsync(1280, 900);
        await page.FillAsync("#Input_Name", "Billing deploy workflow");
        await page.FillAsync("#Input_Subject", "repo:acme/billing:environment:production");
        await page.ClickAsync("main form button[type=submit]");
        await Expect(page.Locator("table.federated-identities")).ToContainTextAsync("Billing deploy workflow");
        foreach (var width in AdminLayoutTests.Widths)
        {
            await page.SetViewportSizeAsync(width, 900);
            await admin.GotoAsync("/manage-api-credentials");
            await Browser.ScreenshotAsync(page, $"federated-list-{width}");
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth + 1"), $"horizontal scroll at {width}px");
        }
    }
}

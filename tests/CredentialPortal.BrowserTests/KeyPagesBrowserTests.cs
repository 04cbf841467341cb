using System.Security.Cryptography;
using static Microsoft.Playwright.Assertions;

namespace CredentialPortal.BrowserTests;

/// <summary>The "add a public key" page and the list with keys, in Chromium at phone and desktop widths (screenshots).</summary>
public sealed class KeyPagesBrowserTests
{
    [Fact]
    public async Task An_administrator_pastes_a_public_key_and_sees_it_listed_beside_the_secrets()
    {
        await using var admin = await AdminBrowser.StartAsync();
        var page = admin.Page;
        var applicationId = admin.ApplicationIds[0];
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        foreach (var width in AdminLayoutTests.Widths)
        {
            await page.SetViewportSizeAsync(width, 900);
            await admin.GotoAsync($"/manage-api-credentials/{applicationId}/keys/new");
            await Browser.ScreenshotAsync(page, $"keys-new-{width}");
        }

        await page.SetViewportSizeAsync(1280, 900);
        await page.FillAsync("#Input_Name", "Key of the partner system");
        await page.FillAsync("#Input_Key", ec.ExportSubjectPublicKeyInfoPem());
        await page.ClickAsync("main form button[type=submit]");
        await Expect(page.Locator("main")).ToContainTextAsync("is added");
        await Expect(page.Locator("table.keys")).ToContainTextAsync("Key of the partner system");

        foreach (var width in AdminLayoutTests.Widths)
        {
            await page.SetViewportSizeAsync(width, 900);
            await admin.GotoAsync("/manage-api-credentials");
            await Browser.ScreenshotAsync(page, $"keys-list-{width}");
            // Nothing wider than the screen: the thumbprint wraps rather than pushing the page sideways.
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth + 1"), $"horizontal scroll at {width}px");
        }
    }
}

using CredentialPortal.Testing;

namespace CredentialPortal.BrowserTests;

public sealed class HomePageTests
{
    [Fact]
    public async Task The_home_page_renders_in_chromium()
    {
        await using var portal = await PortalFactory.StartAsync(realServer: true);
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync();

        var response = await page.GotoAsync(portal.ServerAddress.ToString());

        Assert.Equal(200, response!.Status);
        Assert.Equal("Manage API Credentials", await page.InnerTextAsync("h1"));
        await Browser.ScreenshotAsync(page, "home");
    }
}

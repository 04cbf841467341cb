using static Microsoft.Playwright.Assertions;

namespace CredentialPortal.BrowserTests;

public sealed class AdminPagesBrowserTests
{
    // Issue 19 item 12.
    [Fact]
    public async Task An_unknown_address_shows_the_portal_404_page_with_a_way_back()
    {
        await using var admin = await AdminBrowser.StartAsync();

        var response = await admin.GotoAsync("/manage-api-credentials/999999/history");

        Assert.Equal(404, response!.Status);
        Assert.Equal("Page not found", await admin.Page.InnerTextAsync("h1"));
        Assert.True(await admin.Page.IsVisibleAsync("header .brand"));
        foreach (var width in AdminLayoutTests.Widths)
        {
            await admin.Page.SetViewportSizeAsync(width, 900);
            await Browser.ScreenshotAsync(admin.Page, $"not-found-{width}");
        }

        await admin.Page.ClickAsync("main a:has-text('Manage API Credentials')");
        await admin.Page.WaitForURLAsync("**/manage-api-credentials");
        Assert.Equal("Manage API Credentials", await admin.Page.InnerTextAsync("h1"));
    }

    // Issue 19 item 15.
    [Fact]
    public async Task The_application_form_shows_the_proposed_name_while_choosing_and_creates_it_when_the_name_is_left_empty()
    {
        await using var admin = await AdminBrowser.StartAsync();
        await admin.GotoAsync("/admin/applications/create");
        var proposed = admin.Page.Locator("#proposed-name");
        await Expect(proposed).ToBeHiddenAsync();

        // Without an organisation the form says so, about that field, not about the empty name.
        await admin.Page.SelectOptionAsync("#Input_ApiCode", "DM");
        await admin.Page.ClickAsync("main form button[type=submit]:has-text('Create')");
        await Expect(admin.Page.Locator("span[data-valmsg-for='Input.OrganisationId']")).ToContainTextAsync("Choose the organisation.");
        await Expect(admin.Page.Locator("span[data-valmsg-for='Input.Name']")).ToBeEmptyAsync();

        await admin.Page.SelectOptionAsync("#Input_OrganisationId", new Microsoft.Playwright.SelectOptionValue { Label = "Operator (NL)" });
        await admin.Page.SelectOptionAsync("#Input_ApiCode", "SMC");
        await Expect(proposed).ToHaveTextAsync("Partner-NL-Operator-SMC");
        // Only the chosen API's permissions are offered.
        await Expect(admin.Page.Locator("#perm-match-connect-Sandbox")).ToBeVisibleAsync();
        await Expect(admin.Page.Locator("#perm-data-manager-Production")).ToBeHiddenAsync();
        await admin.Page.CheckAsync("#Input_IsSandboxOnly");
        await Expect(proposed).ToHaveTextAsync("PartnerAlternative-NL-Operator-SMC");
        Assert.Equal("PartnerAlternative-NL-Operator-SMC", await admin.Page.GetAttributeAsync("#Input_Name", "placeholder"));
        foreach (var width in AdminLayoutTests.Widths)
        {
            await admin.Page.SetViewportSizeAsync(width, 900);
            await Browser.ScreenshotAsync(admin.Page, $"application-create-proposed-name-{width}");
        }

        await admin.Page.ClickAsync("main form button[type=submit]:has-text('Create')");
        await Expect(admin.Page.Locator("h1")).ToHaveTextAsync("PartnerAlternative-NL-Operator-SMC");
    }
}

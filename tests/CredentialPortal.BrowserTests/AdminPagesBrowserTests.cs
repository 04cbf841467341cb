using CredentialPortal.Core.Outbox;
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

    // Issue 29 items 3 and 9: a change to someone's account asks first, and the email it sends reads well on a phone.
    [Fact]
    public async Task Disabling_a_user_asks_first_and_the_email_they_get_fits_a_phone_screen()
    {
        await using var admin = await AdminBrowser.StartAsync();
        var page = admin.Page;
        await admin.GotoAsync("/admin/users?Search=pending%40");
        string? asked = null;
        page.Dialog += async (_, dialog) =>
        {
            asked = dialog.Message;
            await dialog.AcceptAsync();
        };
        await page.ClickAsync("main form button:has-text('Disable')");
        await Expect(page.Locator(".status")).ToContainTextAsync("is disabled");
        Assert.StartsWith("Disable pending@registratiecentrum-europdonor.example?", asked, StringComparison.Ordinal);

        await admin.Portal.RunNextPassAsync<OutboxSender>();
        var email = admin.Portal.Mail.All().Single(m => m.Subject == "Your Manage API Credentials account was disabled");
        // A page of its own, as a mail client shows the message: the portal's page would apply the portal's CSP to it.
        var reader = await page.Context.NewPageAsync();
        await reader.SetViewportSizeAsync(390, 844);
        await reader.SetContentAsync(email.HtmlBody);
        await Browser.ScreenshotAsync(reader, "email-account-disabled-390");
        Assert.True(await reader.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "The email scrolls sideways at 390 px.");
        await Expect(reader.Locator("body")).ToContainTextAsync("admin@operator.example");
    }
}

using System.Net;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.TokenService.Clients;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CredentialPortal.BrowserTests;

public sealed class CredentialsPageBrowserTests
{
    [Fact]
    public async Task A_manager_creates_copies_disables_enables_and_deletes_a_secret_in_chromium()
    {
        await using var portal = await PortalFactory.StartAsync(realServer: true,
            settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        var (_, ids) = await portal.CreateOrganisationAsync("DemoOrg", "DM");
        await using (var db = portal.CreateDbContext())
        {
            db.ApplicationPermissions.Add(new ApplicationPermission { ApplicationId = ids[0], Api = "data-manager", Environment = ApiEnvironment.Sandbox });
            await db.SaveChangesAsync();
        }

        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { Permissions = ["clipboard-read", "clipboard-write"] });
        var page = await context.NewPageAsync();
        var url = (string path) => new Uri(portal.ServerAddress, path).ToString();

        // Sign in as the administrator (enrolment on first sign-in), who manages every application.
        await page.GotoAsync(url("/Account/Login"));
        await page.FillAsync("#Input_Email", PortalFactory.AdminEmail);
        await page.FillAsync("#Input_Password", PortalFactory.AdminPassword);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/Account/Enrol**");
        var key = (await page.InnerTextAsync("#authenticator-key")).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        await page.FillAsync("#Code", new AuthenticatorApp(key, portal.Time).NextCode());
        await page.ClickAsync("main form[method=post] button[type=submit]");
        await page.WaitForSelectorAsync("#recovery-codes");

        await page.GotoAsync(url("/manage-api-credentials"));
        await Browser.ScreenshotAsync(page, "credentials-empty");
        await page.ClickAsync("text=Create new secret");
        await page.FillAsync("#Input_Name", "Secret by the administrator");
        await Browser.ScreenshotAsync(page, "credentials-create-form");
        await page.ClickAsync("main form button[type=submit]");
        await page.WaitForSelectorAsync("#new-secret-value");
        var secret = await page.InputValueAsync("#new-secret-value");
        await page.ClickAsync("button[data-copy='#new-secret-value']");
        Assert.Equal(secret, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
        await Browser.ScreenshotAsync(page, "credentials-secret-shown-once");

        // Reloading re-posts the form: no second secret, and the value is not shown again.
        await page.ReloadAsync();
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Contains(SecretFormat.HintOf(secret) + "…", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "credentials-list");

        using var http = new HttpClient { BaseAddress = portal.ServerAddress };
        string clientId;
        await using (var db = portal.CreateDbContext())
        {
            clientId = db.Applications.Single(a => a.Id == ids[0]).ClientId;
            Assert.Equal(1, db.ClientSecrets.Count());
        }

        Task<HttpResponseMessage> TokenAsync() => TokenClient.RequestTokenAsync(http, clientId, secret, basic: false);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync()).StatusCode);

        // The token service learns of a change with its next poll of the change log (250 ms, within the promised
        // second): let that poll run on the fake clock, then ask once.
        async Task<HttpStatusCode> TokenStatusAfterNextPollAsync()
        {
            await portal.RunNextPassAsync<CredentialChangePoller>();
            using var response = await TokenAsync();
            return response.StatusCode;
        }

        await page.ClickAsync("a:has-text('Disable')");
        await Expect(page.Locator("button:has-text('Disable secret')")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "credentials-disable-confirmation");
        // The only active credential: the second, explicit confirmation.
        await page.CheckAsync("input[name=ConfirmLastCredential]");
        await page.ClickAsync("button:has-text('Disable secret')");
        await page.WaitForSelectorAsync("text=is disabled");
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenStatusAfterNextPollAsync());

        await page.ClickAsync("button:has-text('Enable')");
        await page.WaitForSelectorAsync("text=is enabled again");
        Assert.Equal(HttpStatusCode.OK, await TokenStatusAfterNextPollAsync());

        await page.ClickAsync("a:has-text('Delete')");
        await Expect(page.Locator("main")).ToContainTextAsync("only active secret");
        await Browser.ScreenshotAsync(page, "credentials-delete-confirmation");
        await page.CheckAsync("input[name=ConfirmLastCredential]");
        await page.ClickAsync("button:has-text('Delete secret')");
        await page.WaitForSelectorAsync("text=is deleted");
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenStatusAfterNextPollAsync());

        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(url("/manage-api-credentials"));
        await Browser.ScreenshotAsync(page, "credentials-phone");
    }
}

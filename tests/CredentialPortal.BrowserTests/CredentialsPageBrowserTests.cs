using System.Net;
using CredentialPortal.Core.Applications;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using Microsoft.Playwright;

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
        Assert.Contains(secret[..3] + "…", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await Browser.ScreenshotAsync(page, "credentials-list");

        using var http = new HttpClient { BaseAddress = portal.ServerAddress };
        string clientId;
        await using (var db = portal.CreateDbContext())
        {
            clientId = db.Applications.Single(a => a.Id == ids[0]).ClientId;
            Assert.Equal(1, db.ClientSecrets.Count());
        }

        Task<HttpResponseMessage> TokenAsync() => http.PostAsync("/connect/token", new FormUrlEncodedContent(
            [new("grant_type", "client_credentials"), new("client_id", clientId), new("client_secret", secret)]));
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync()).StatusCode);

        await page.ClickAsync("a:has-text('Disable')");
        await Browser.ScreenshotAsync(page, "credentials-disable-confirmation");
        await page.ClickAsync("button:has-text('Disable secret')");
        await page.WaitForSelectorAsync("text=is disabled");
        Assert.Equal(HttpStatusCode.Unauthorized, await EventuallyAsync(TokenAsync, HttpStatusCode.Unauthorized));

        await page.ClickAsync("button:has-text('Enable')");
        await page.WaitForSelectorAsync("text=is enabled again");
        Assert.Equal(HttpStatusCode.OK, await EventuallyAsync(TokenAsync, HttpStatusCode.OK));

        await page.ClickAsync("a:has-text('Delete')");
        await Browser.ScreenshotAsync(page, "credentials-delete-confirmation");
        Assert.Contains("only active secret", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await page.ClickAsync("button:has-text('Delete secret')");
        await page.WaitForSelectorAsync("text=is deleted");
        Assert.Equal(HttpStatusCode.Unauthorized, await EventuallyAsync(TokenAsync, HttpStatusCode.Unauthorized));

        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(url("/manage-api-credentials"));
        await Browser.ScreenshotAsync(page, "credentials-phone");
    }

    /// <summary>Token-service instances learn of changes within a second; ask until then.</summary>
    private static async Task<HttpStatusCode> EventuallyAsync(Func<Task<HttpResponseMessage>> request, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(1.5);
        while (true)
        {
            var status = (await request()).StatusCode;
            if (status == expected || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(100);
        }
    }
}

using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Users;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CredentialPortal.BrowserTests;

/// <summary>
/// A portal on a real socket with the data a busy administrator sees (long names, several users, secrets in every
/// state), and Chromium signed in as the administrator (enrolled on the way). Dispose ends both.
/// </summary>
public sealed class AdminBrowser : IAsyncDisposable
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private AdminBrowser(PortalFactory portal) => Portal = portal;

    public PortalFactory Portal { get; }
    public IPage Page { get; private set; } = null!;
    public IReadOnlyList<int> ApplicationIds { get; private set; } = [];
    public Guid PendingUserId { get; private set; }

    public string Url(string path) => new Uri(Portal.ServerAddress, path).ToString();

    /// <param name="context">Browser context options.</param>
    /// <param name="signInPage">Called on each page of the sign-in and enrolment, with a name for it.</param>
    public static async Task<AdminBrowser> StartAsync(BrowserNewContextOptions? context = null, Func<IPage, string, Task>? signInPage = null)
    {
        var portal = await PortalFactory.StartAsync(realServer: true,
            settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        var admin = new AdminBrowser(portal);
        try
        {
            await admin.SeedAsync();
            (admin._playwright, admin._browser) = await Browser.LaunchAsync();
            admin.Page = await (await admin._browser.NewContextAsync(context)).NewPageAsync();
            await admin.SignInAsync(signInPage ?? ((_, _) => Task.CompletedTask));
            return admin;
        }
        catch
        {
            await admin.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens a page and waits until it has loaded (and site.js has run).</summary>
    public async Task<IResponse?> GotoAsync(string path)
    {
        var response = await Page.GotoAsync(Url(path));
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        return response;
    }

    private async Task SignInAsync(Func<IPage, string, Task> signInPage)
    {
        try
        {
            await SignInStepsAsync(signInPage);
        }
        catch (TimeoutException ex)
        {
            // A sign-in that never arrives says where it stood: the address, what the page said, and a screenshot.
            await Browser.ScreenshotAsync(Page, $"sign-in-timed-out-{Guid.NewGuid():N}");
            var text = await Page.InnerTextAsync("body", new PageInnerTextOptions { Timeout = 5_000 });
            throw new TimeoutException($"Signing in timed out on {Page.Url}, which says: {text}", ex);
        }
    }

    private async Task SignInStepsAsync(Func<IPage, string, Task> signInPage)
    {
        await Page.GotoAsync(Url("/Account/Login"));
        await signInPage(Page, "login");
        await Page.FillAsync("#Input_Email", PortalFactory.AdminEmail);
        await Page.FillAsync("#Input_Password", PortalFactory.AdminPassword);
        await Page.ClickAsync("button[type=submit]");
        await Page.WaitForURLAsync("**/Account/Enrol**");
        await signInPage(Page, "enrol");
        var key = (await Page.InnerTextAsync("#authenticator-key")).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        await Page.FillAsync("#Code", new AuthenticatorApp(key, Portal.Time).NextCode());
        await Page.ClickAsync("main form[method=post] button[type=submit]");
        await Page.WaitForSelectorAsync("#recovery-codes");
        await signInPage(Page, "recovery-codes");
    }

    private async Task SeedAsync()
    {
        var (organisationId, ids) = await Portal.CreateOrganisationAsync("Stichting Europdonor Internationaal Registratiecentrum", "DM", "SMC");
        ApplicationIds = ids;
        var now = Portal.Time.GetUtcNow().UtcDateTime;
        await using (var db = Portal.CreateDbContext())
        {
            db.ApplicationPermissions.Add(new ApplicationPermission { ApplicationId = ids[0], Api = "data-manager", Environment = ApiEnvironment.Production });
            db.ApplicationPermissions.Add(new ApplicationPermission { ApplicationId = ids[0], Api = "data-manager", Environment = ApiEnvironment.Sandbox });
            foreach (var (name, expires, disabled) in new[]
            {
                ("Production connector on the integration server", now.AddDays(200), false),
                ("Expiring soon", now.AddDays(10), false),
                ("Old rotation secret", now.AddDays(90), true),
                ("Expired", now.AddDays(-3), false),
            })
            {
                var generated = SecretGenerator.NewSecret();
                db.ClientSecrets.Add(new ClientSecret
                {
                    ApplicationId = ids[0], Name = name, Hash = generated.Hash, Hint = generated.Hint, CreatedAt = now.AddDays(-30),
                    CreatedBy = PortalFactory.AdminEmail, ExpiresAt = expires, DisabledAt = disabled ? now : null,
                });
            }

            await db.SaveChangesAsync();
        }

        await using var scope = Portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        foreach (var (email, name, signedIn) in new[]
        {
            ("a.very.long.address.of.a.credential.manager@registratiecentrum-europdonor.example", "Wilhelmina van der Berg-Oosterhuis", true),
            ("pending@registratiecentrum-europdonor.example", "Pending Person", false),
        })
        {
            var user = new PortalUser
            {
                UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, OrganisationId = organisationId,
                CreatedAt = now, InvitedAt = now, LastSignInAt = signedIn ? now : null,
            };
            var created = signedIn ? await users.CreateAsync(user, "correct horse battery staple 1") : await users.CreateAsync(user);
            Assert.True(created.Succeeded);
            if (!signedIn)
            {
                PendingUserId = user.Id;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await Portal.DisposeAsync();
    }
}

using System.Text.Json;
using CredentialPortal.Testing;
using Deque.AxeCore.Playwright;
using CredentialPortal.Testing.Account;
using Microsoft.Playwright;

namespace CredentialPortal.BrowserTests;

/// <summary>
/// Passkeys in Chromium with its virtual WebAuthn authenticator (a CDP session): CTAP2, built in ("internal"),
/// discoverable credentials and user verification, the way a laptop's fingerprint reader or a phone behaves. The portal
/// runs under http://localhost:PORT, because WebAuthn needs a domain (not an IP address) as relying party id.
/// </summary>
public sealed class PasskeyBrowserTests
{
    [Fact]
    public async Task A_user_registers_a_passkey_signs_in_with_it_as_second_factor_and_passwordless_and_removes_it()
    {
        await using var session = await PasskeyBrowser.StartAsync();
        var page = session.Page;
        await session.SignInWithCodeAsync();

        await session.GotoAsync("/Account/Passkeys");
        await Browser.ScreenshotAsync(page, "passkeys-empty");
        await session.RegisterAsync("Work laptop");
        Assert.Contains("\"Work laptop\" is registered", await page.InnerTextAsync(".status"), StringComparison.Ordinal);
        Assert.Single(await session.CredentialsOnDeviceAsync());
        await session.ScreenshotBothWidthsAsync("passkeys-list");

        // Second factor after the password.
        await session.SignOutAsync();
        await session.SubmitPasswordAsync();
        await page.WaitForURLAsync("**/Account/LoginWithCode**");
        await session.ScreenshotBothWidthsAsync("passkeys-second-factor");
        await page.ClickAsync("text=Use your passkey");
        await Browser.WaitForSignedInAsync(page);

        // Passwordless from the sign-in page.
        await session.SignOutAsync();
        await session.GotoAsync("/Account/Login");
        await session.ScreenshotBothWidthsAsync("passkeys-login");
        await page.ClickAsync("text=Sign in with a passkey");
        await Browser.WaitForSignedInAsync(page);

        // Removed: the device still holds it, the portal no longer accepts it.
        await session.GotoAsync("/Account/Passkeys");
        await page.ClickAsync("a.remove-passkey");
        await page.FillAsync("#RemovePassword", PortalFactory.AdminPassword);
        await session.ScreenshotBothWidthsAsync("passkeys-remove");
        await page.ClickAsync("#remove-passkey button[type=submit]");
        await page.WaitForSelectorAsync("#no-passkeys");
        await session.SignOutAsync();
        await session.GotoAsync("/Account/Login");
        await page.ClickAsync("text=Sign in with a passkey");
        await page.WaitForSelectorAsync("text=That passkey was not accepted");
        Assert.Single(await session.CredentialsOnDeviceAsync());
        Assert.Empty(session.CspViolations);
        Assert.Empty(session.AccessibilityViolations);
    }

    [Fact]
    public async Task Under_the_policy_an_administrator_registers_a_passkey_and_administers_after_confirming_with_it()
    {
        await using var session = await PasskeyBrowser.StartAsync(new Dictionary<string, string?> { ["Account:RequirePhishingResistantMfaForAdministrators"] = "true" });
        var page = session.Page;
        await session.SignInWithCodeAsync();

        await session.GotoAsync("/admin/users");
        Assert.Contains("/Account/Passkeys", page.Url, StringComparison.Ordinal);
        Assert.True(await page.IsVisibleAsync("#passkey-required"));
        await session.ScreenshotBothWidthsAsync("passkeys-required");

        await session.RegisterAsync("Admin laptop", waitFor: "**/Account/ConfirmPasskey**");
        await session.ScreenshotBothWidthsAsync("passkeys-confirm");
        await page.ClickAsync("text=Use your passkey");
        await page.WaitForURLAsync("**/admin/users**");
        Assert.Contains("1 passkey", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await session.ScreenshotBothWidthsAsync("passkeys-admin-users");

        // The next sign-in with a code does not open administration.
        await session.SignOutAsync();
        await session.SignInWithCodeAsync();
        await session.GotoAsync("/admin/users");
        Assert.Contains("/Account/ConfirmPasskey", page.Url, StringComparison.Ordinal);
        Assert.Empty(session.CspViolations);
        Assert.Empty(session.AccessibilityViolations);
    }
}

/// <summary>A portal on http://localhost:PORT and a Chromium page with a virtual authenticator.</summary>
internal sealed class PasskeyBrowser : IAsyncDisposable
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private ICDPSession _cdp = null!;
    private string _authenticatorId = "";
    private AuthenticatorApp? _app;

    private PasskeyBrowser(PortalFactory portal)
    {
        Portal = portal;
        Origin = $"http://localhost:{portal.ServerAddress.Port}";
    }

    public PortalFactory Portal { get; }
    public string Origin { get; }
    public IPage Page { get; private set; } = null!;
    public List<string> CspViolations { get; } = [];

    /// <summary>Serious or critical WCAG 2.1 A/AA findings of axe-core on every page screenshotted.</summary>
    public List<string> AccessibilityViolations { get; } = [];

    public static async Task<PasskeyBrowser> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var session = new PasskeyBrowser(await PortalFactory.StartOnLocalhostAsync(origin =>
            new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
            {
                ["Portal:BaseUrl"] = origin.ToString(),
                ["Reminders:Enabled"] = "false",
            }));
        try
        {
            (session._playwright, session._browser) = await Browser.LaunchAsync();
            var context = await session._browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            session.Page = await context.NewPageAsync();
            session.Page.Console += (_, message) =>
            {
                if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                {
                    session.CspViolations.Add(message.Text);
                }
            };
            session._cdp = await context.NewCDPSessionAsync(session.Page);
            await session._cdp.SendAsync("WebAuthn.enable");
            var added = await session._cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
            {
                ["options"] = new Dictionary<string, object>
                {
                    ["protocol"] = "ctap2",
                    ["transport"] = "internal",
                    ["hasResidentKey"] = true,
                    ["hasUserVerification"] = true,
                    ["isUserVerified"] = true,
                    ["automaticPresenceSimulation"] = true,
                },
            });
            session._authenticatorId = added!.Value.GetProperty("authenticatorId").GetString()!;
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    public async Task GotoAsync(string path)
    {
        await Page.GotoAsync(Origin + path);
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    public async Task SubmitPasswordAsync()
    {
        await GotoAsync("/Account/Login");
        await Page.FillAsync("#Input_Email", PortalFactory.AdminEmail);
        await Page.FillAsync("#Input_Password", PortalFactory.AdminPassword);
        await Page.ClickAsync("button[type=submit]");
    }

    /// <summary>Password and authenticator code (enrolling on the first sign-in).</summary>
    public async Task SignInWithCodeAsync()
    {
        await SubmitPasswordAsync();
        if (_app is null)
        {
            await Page.WaitForURLAsync("**/Account/Enrol**");
            var key = (await Page.InnerTextAsync("#authenticator-key")).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
            _app = new AuthenticatorApp(key, Portal.Time);
            await Page.FillAsync("#Code", _app.NextCode());
            await Page.ClickAsync("main form[method=post] button[type=submit]");
            await Page.WaitForSelectorAsync("#recovery-codes");
            await Page.ClickAsync("text=I have saved them: continue");
        }
        else
        {
            await Page.WaitForURLAsync("**/Account/LoginWithCode**");
            await Page.FillAsync("#Code", _app.NextCode());
            await Page.ClickAsync("main form[method=post] button[type=submit]");
        }

        await Browser.WaitForSignedInAsync(Page);
    }

    public async Task RegisterAsync(string name, string waitFor = "**/Account/Passkeys**")
    {
        await Page.FillAsync("#Name", name);
        await Page.FillAsync("#Password", PortalFactory.AdminPassword);
        await Page.ClickAsync("#add-passkey button[type=submit]");
        await Page.WaitForSelectorAsync(".status");
        await Page.WaitForURLAsync(waitFor);
    }

    public async Task SignOutAsync()
    {
        await Page.ClickAsync("header button:has-text('Sign out')");
        await Page.WaitForURLAsync("**/Account/Login**");
    }

    /// <summary>The credentials the virtual authenticator holds.</summary>
    public async Task<IReadOnlyList<JsonElement>> CredentialsOnDeviceAsync()
    {
        var result = await _cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = _authenticatorId });
        return [.. result!.Value.GetProperty("credentials").EnumerateArray()];
    }

    public async Task ScreenshotBothWidthsAsync(string name)
    {
        var axe = await Page.RunAxe(AccessibilityTests.Wcag21);
        AccessibilityViolations.AddRange(axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{name}: {v.Id} ({v.Impact}) at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}"));
        await Browser.ScreenshotAsync(Page, name + "-1280");
        await Page.SetViewportSizeAsync(390, 844);
        await Browser.ScreenshotAsync(Page, name + "-390");
        await Page.SetViewportSizeAsync(1280, 900);
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

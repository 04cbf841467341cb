using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Account;

/// <summary><c>Account:RequirePhishingResistantMfaForAdministrators</c>, and the administrator's MFA reset of someone with passkeys.</summary>
public sealed class PasskeyPolicyTests
{
    private static Task<PortalFactory> StartWithPolicyAsync() =>
        PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Account:RequirePhishingResistantMfaForAdministrators"] = "true" });

    [Fact]
    public async Task Under_the_policy_an_administrator_registers_a_passkey_and_administers_only_after_signing_in_with_it()
    {
        await using var portal = await StartWithPolicyAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();

        // Signed in with a code and no passkey yet: administration leads to registering one.
        var blocked = await client.GetAsync("/admin/users");
        Assert.Equal(PasskeyPages.Passkeys, blocked.Path);
        Assert.NotNull(blocked.Document.QuerySelector("#passkey-required"));

        using var passkey = new SoftwarePasskey();
        var confirm = await client.RegisterPasskeyAsync(passkey, "Admin key", PortalFactory.AdminPassword, page: blocked);
        Assert.Equal(PasskeyPages.ConfirmPasskey, confirm.Path);
        Assert.Equal(PasskeyPages.ConfirmPasskey, (await client.GetAsync("/admin/users")).Path);
        // Confirmed, the administrator lands on the page they came for.
        Assert.Equal("/admin/users", (await client.AnswerWithPasskeyAsync(confirm, passkey)).Path);
        var users = await client.GetAsync("/admin/users");
        Assert.Equal("Users", users.Heading);
        Assert.Contains("1 passkey", users.Text, StringComparison.Ordinal);

        // Registered from a code-signed session (a relayed code could do it): its owner is emailed at once, and every
        // administrator sees it on the dashboard, linked to the audit events.
        await portal.RunNextPassAsync<OutboxSender>();
        var notice = Assert.Single(portal.Mail.To(PortalFactory.AdminEmail), m => m.Subject.StartsWith("A passkey was added", StringComparison.Ordinal));
        Assert.Equal("A passkey was added to your administrator account: check it was you", notice.Subject);
        Assert.Contains("signed in with an authenticator code", notice.TextBody, StringComparison.Ordinal);
        var tile = (await client.GetAsync("/admin")).Document.QuerySelector($"a[href='/admin/audit?EventType={AuditEventTypes.PasskeyAddedWithCode}']")!;
        Assert.StartsWith("1 administrator passkey registered from a session signed in with a code", tile.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("Admin key", (await client.GetAsync(tile.GetAttribute("href")!)).Text, StringComparison.Ordinal);

        // The next sign-in with a code: the code still signs in, but not into administration.
        await client.SignOutAsync();
        await client.SignInAsAdministratorAsync();
        Assert.Equal(PasskeyPages.ConfirmPasskey, (await client.GetAsync("/admin/users")).Path);
        Assert.DoesNotContain("/admin/users", (await client.GetAsync("/")).Body, StringComparison.OrdinalIgnoreCase);
        // Nor can a code-signed session add a passkey of its own now that one exists, or remove the only one.
        var page = await client.GetAsync(PasskeyPages.Passkeys);
        var (status, json) = await client.PasskeyOptionsAsync(page, PasskeyPages.AddForm,
            new Dictionary<string, string> { ["Name"] = "Attacker's key", ["Password"] = PortalFactory.AdminPassword });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Sign in with one of your passkeys", json, StringComparison.Ordinal);
        var removal = await client.GetAsync(page.Document.QuerySelector("a.remove-passkey")!.GetAttribute("href")!);
        var refused = await client.SubmitAsync(removal, new Dictionary<string, string> { ["Password"] = PortalFactory.AdminPassword }, "#remove-passkey");
        Assert.Contains("register another passkey before you remove", refused.Errors, StringComparison.Ordinal);

        // The passkey as second factor opens administration directly.
        await client.SignOutAsync();
        var codePage = await client.SubmitPasswordAsync(PortalFactory.AdminEmail, PortalFactory.AdminPassword);
        await client.AnswerWithPasskeyAsync(codePage, passkey);
        Assert.Equal("Users", (await client.GetAsync("/admin/users")).Heading);
    }

    [Fact]
    public async Task Under_the_policy_a_recovery_code_still_signs_an_administrator_in_but_not_into_administration()
    {
        await using var portal = await StartWithPolicyAsync();
        using var client = new PortalClient(portal);
        var (_, _, codes) = await client.EnrolAsync(await client.SubmitPasswordAsync(PortalFactory.AdminEmail, PortalFactory.AdminPassword), PortalFactory.AdminEmail);
        using var passkey = new SoftwarePasskey();
        await client.RegisterPasskeyAsync(passkey, "Admin key", PortalFactory.AdminPassword);
        await client.SignOutAsync();

        await client.SubmitPasswordAsync(PortalFactory.AdminEmail, PortalFactory.AdminPassword);
        var recovery = await client.GetAsync(AccountPages.LoginWithRecoveryCode);
        var signedIn = await client.SubmitAsync(recovery, new Dictionary<string, string> { ["Code"] = codes[0] });

        Assert.DoesNotContain("/Account/Login", signedIn.Path, StringComparison.Ordinal);
        Assert.Equal("Your account", (await client.GetAsync("/Account")).Heading);
        Assert.Equal(PasskeyPages.ConfirmPasskey, (await client.GetAsync("/admin/audit")).Path);
    }

    [Fact]
    public async Task Without_the_policy_an_administrator_signed_in_with_a_code_administers_as_before()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        using var passkey = new SoftwarePasskey();
        await client.RegisterPasskeyAsync(passkey, "Admin key", PortalFactory.AdminPassword);
        await client.SignOutAsync();
        await client.SignInAsAdministratorAsync();

        Assert.Equal("Users", (await client.GetAsync("/admin/users")).Heading);
    }

    [Fact]
    public async Task An_administrators_mfa_reset_removes_the_users_passkeys()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var user = await admin.InviteAndOnboardAsync("lost.phone@operator.example");
        using var passkey = new SoftwarePasskey();
        await user.Client.RegisterPasskeyAsync(passkey, "Old phone", user.Password);
        var list = await admin.GetAsync("/admin/users");
        Assert.Contains("1 passkey", list.Text, StringComparison.Ordinal);

        var row = list.Document.QuerySelectorAll("tbody tr").Single(r => r.TextContent.Contains(user.Email, StringComparison.Ordinal));
        var userId = row.QuerySelector("input[name=UserId]")!.GetAttribute("value")!;
        var reset = await admin.SubmitAsync(list, new Dictionary<string, string> { ["UserId"] = userId },
            "form[action*='handler=ResetMfa']:has(input[value='" + userId + "'])");

        Assert.Contains("is reset", reset.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("1 passkey", reset.Text, StringComparison.Ordinal);
        await using var db = portal.CreateDbContext();
        Assert.Equal(0, await db.UserPasskeys.CountAsync());
        Assert.Equal(1, await SignInTests.CountEventsAsync(portal, AuditEventTypes.MfaReset));
        using var browser = new PortalClient(portal);
        var refused = await browser.SignInWithPasskeyAsync(passkey);
        Assert.Contains(Web.Account.AccountMessages.PasskeyNotAccepted, refused.Errors, StringComparison.Ordinal);
    }
}

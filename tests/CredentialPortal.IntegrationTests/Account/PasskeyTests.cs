using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Web.Account;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Account;

/// <summary>Passkeys over HTTP with a test-side authenticator: registration, both sign-ins, and the server-side checks.</summary>
public sealed class PasskeyTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_registered_passkey_signs_in_as_second_factor_and_passwordless(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var user = await admin.InviteAndOnboardAsync("keys@operator.example");
        using var passkey = new SoftwarePasskey();

        var registered = await user.Client.RegisterPasskeyAsync(passkey, "Work laptop", user.Password);

        Assert.Equal(PasskeyPages.Passkeys, registered.Path);
        Assert.Contains("\"Work laptop\" is registered", registered.Text, StringComparison.Ordinal);
        Assert.Contains("Work laptop", registered.Document.QuerySelector("#passkeys")!.TextContent, StringComparison.Ordinal);
        // Dated by the portal's clock (the fake one here), not the system's.
        Assert.Contains("2026-11-23", registered.Document.QuerySelector("#passkeys")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("1", (await user.Client.GetAsync("/Account")).Document.QuerySelector("#passkeys-count")!.TextContent.Trim());
        Assert.Equal(1, await SignInTests.CountEventsAsync(portal, AuditEventTypes.PasskeyAdded));
        await portal.RunNextPassAsync<OutboxSender>();
        var notice = Assert.Single(portal.Mail.To(user.Email), m => m.Subject == "A passkey was added to your account");
        Assert.Contains("Work laptop", notice.Body, StringComparison.Ordinal);

        // Second factor after the password: the code page offers the passkey.
        await user.Client.SignOutAsync();
        var codePage = await user.Client.SubmitPasswordAsync(user.Email, user.Password);
        Assert.Equal(AccountPages.LoginWithCode, codePage.Path);
        var signedIn = await user.Client.AnswerWithPasskeyAsync(codePage, passkey);
        Assert.Equal("Your account", (await user.Client.GetAsync("/Account")).Heading);
        Assert.NotEqual(AccountPages.Login, signedIn.Path);

        // Passwordless: a fresh browser, no email, no password.
        using var browser = new PortalClient(portal);
        await browser.SignInWithPasskeyAsync(passkey);
        var account = await browser.GetAsync("/Account");
        Assert.Equal("Your account", account.Heading);
        Assert.Contains(user.Email, account.Text, StringComparison.Ordinal);
        await using var db = portal.CreateDbContext();
        Assert.Contains(await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.LoginSucceeded).Select(e => e.Details).ToListAsync(),
            d => d == "passkey (passwordless)");
    }

    [Fact]
    public async Task Registering_needs_the_password_and_a_name()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        var page = await client.GetAsync(PasskeyPages.Passkeys);

        var wrong = await client.PasskeyOptionsAsync(page, PasskeyPages.AddForm, new Dictionary<string, string> { ["Name"] = "Phone", ["Password"] = "not the password at all" });
        var unnamed = await client.PasskeyOptionsAsync(page, PasskeyPages.AddForm, new Dictionary<string, string> { ["Name"] = " ", ["Password"] = PortalFactory.AdminPassword });

        Assert.Equal(HttpStatusCode.BadRequest, wrong.Status);
        Assert.Contains("password is not correct", wrong.Json, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unnamed.Status);
        Assert.Contains("Give the passkey a name", unnamed.Json, StringComparison.Ordinal);
        Assert.Null(client.Cookie(PasskeyCeremonies.CookieName));
    }

    [Fact]
    public async Task An_answer_made_for_another_origin_or_relying_party_is_refused()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        using var phished = new SoftwarePasskey();
        using var otherRp = new SoftwarePasskey();

        var lookAlike = await client.RegisterPasskeyAsync(phished, "Phished", PortalFactory.AdminPassword, origin: "https://credentials-portal.example");
        var otherPort = await client.RegisterPasskeyAsync(phished, "Other port", PortalFactory.AdminPassword, origin: "http://localhost:8080");
        var wrongRp = await client.RegisterPasskeyAsync(otherRp, "Other RP", PortalFactory.AdminPassword, rpId: "example.org");

        Assert.Contains("could not be registered", lookAlike.Errors, StringComparison.Ordinal);
        Assert.Contains("could not be registered", otherPort.Errors, StringComparison.Ordinal);
        Assert.Contains("could not be registered", wrongRp.Errors, StringComparison.Ordinal);
        Assert.NotNull(lookAlike.Document.QuerySelector("#no-passkeys"));

        // A registered passkey's assertion for another origin or relying party does not sign in either.
        using var good = new SoftwarePasskey();
        await client.RegisterPasskeyAsync(good, "Good", PortalFactory.AdminPassword);
        await client.SignOutAsync();
        var login = await client.GetAsync(AccountPages.Login);
        var badOrigin = await client.AnswerWithPasskeyAsync(login, good, "#passkey-sign-in", origin: "https://credentials-portal.example");
        var badRp = await client.AnswerWithPasskeyAsync(login, good, "#passkey-sign-in", rpId: "example.org");
        Assert.Contains(Web.Account.AccountMessages.PasskeyNotAccepted, badOrigin.Errors, StringComparison.Ordinal);
        Assert.Contains(Web.Account.AccountMessages.PasskeyNotAccepted, badRp.Errors, StringComparison.Ordinal);
        Assert.Equal(AccountPages.Login, (await client.GetAsync("/Account")).Path);

        // Garbage instead of a browser's answer is a message, not an error page.
        await client.PasskeyOptionsAsync(login, "#passkey-sign-in");
        var garbage = await client.SubmitAsync(login, new Dictionary<string, string> { ["Credential"] = "{\"id\": 42" }, "#passkey-sign-in");
        Assert.Equal(HttpStatusCode.OK, garbage.Status);
        Assert.Contains(Web.Account.AccountMessages.PasskeyNotAccepted, garbage.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_challenge_is_used_once()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        using var passkey = new SoftwarePasskey();
        await client.RegisterPasskeyAsync(passkey, "Laptop", PortalFactory.AdminPassword);
        await client.SignOutAsync();

        var login = await client.GetAsync(AccountPages.Login);
        var (_, options) = await client.PasskeyOptionsAsync(login, "#passkey-sign-in");
        var ceremony = client.Cookie(PasskeyCeremonies.CookieName)!;
        var answer = passkey.Get(options);
        var fields = new Dictionary<string, string> { ["Credential"] = answer };
        await client.SubmitAsync(login, fields, "#passkey-sign-in");
        Assert.Equal("Your account", (await client.GetAsync("/Account")).Heading);

        // The same answer with the same ceremony cookie (as an attacker who copied both would send it) is refused.
        using var replay = new PortalClient(portal);
        replay.Cookies.Add(PortalClient.DefaultBaseAddress, new Cookie(PasskeyCeremonies.CookieName, ceremony, "/") { Secure = true });
        var replayed = await replay.SubmitAsync(await replay.GetAsync(AccountPages.Login), fields, "#passkey-sign-in");
        Assert.Contains(Web.Account.AccountMessages.PasskeyNotAccepted, replayed.Errors, StringComparison.Ordinal);
        Assert.Equal(AccountPages.Login, (await replay.GetAsync("/Account")).Path);

        // An abandoned ceremony expires with the authenticator timeout.
        using var late = new PortalClient(portal);
        var latePage = await late.GetAsync(AccountPages.Login);
        var (_, lateOptions) = await late.PasskeyOptionsAsync(latePage, "#passkey-sign-in");
        portal.Time.Advance(TimeSpan.FromMinutes(7));
        var tooLate = await late.SubmitAsync(latePage, new Dictionary<string, string> { ["Credential"] = passkey.Get(lateOptions) }, "#passkey-sign-in");
        Assert.Contains(Web.Account.AccountMessages.PasskeyNotAccepted, tooLate.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_users_passkey_is_refused_as_second_factor_and_counts_toward_lockout()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var alice = await admin.InviteAndOnboardAsync("alice@operator.example");
        var bob = await admin.InviteAndOnboardAsync("bob@operator.example");
        using var alicesKey = new SoftwarePasskey();
        using var bobsKey = new SoftwarePasskey();
        await alice.Client.RegisterPasskeyAsync(alicesKey, "Alice's key", alice.Password);
        await bob.Client.RegisterPasskeyAsync(bobsKey, "Bob's key", bob.Password);
        await bob.Client.SignOutAsync();

        var codePage = await bob.Client.SubmitPasswordAsync(bob.Email, bob.Password);
        var refused = await bob.Client.AnswerWithPasskeyAsync(codePage, alicesKey);

        Assert.Equal(PasskeyPages.LoginWithPasskey, refused.Path);
        Assert.Contains("That passkey was not accepted", refused.Errors, StringComparison.Ordinal);
        Assert.Equal(AccountPages.LoginWithCode, (await bob.Client.GetAsync("/Account")).Path);
        await using var db = portal.CreateDbContext();
        Assert.Equal(1, await db.Users.Where(u => u.Email == bob.Email).Select(u => u.AccessFailedCount).SingleAsync());
        Assert.Equal(1, await SignInTests.CountEventsAsync(portal, AuditEventTypes.MfaFailed));
    }

    [Fact]
    public async Task A_passkey_is_renamed_and_removed_and_then_no_longer_signs_in()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        using var passkey = new SoftwarePasskey();
        var page = await client.RegisterPasskeyAsync(passkey, "Old name", PortalFactory.AdminPassword);

        page = await client.SubmitAsync(page, new Dictionary<string, string> { ["Name"] = "Desk key" }, "form.rename-passkey");
        Assert.Contains("now called \"Desk key\"", page.Text, StringComparison.Ordinal);
        var confirm = await client.GetAsync(page.Document.QuerySelector("a.remove-passkey")!.GetAttribute("href")!);
        Assert.Contains("Remove the passkey \"Desk key\"?", confirm.Text, StringComparison.Ordinal);
        var wrong = await client.SubmitAsync(confirm, new Dictionary<string, string> { ["Password"] = "not the password at all" }, "#remove-passkey");
        Assert.Contains("password is not correct", wrong.Errors, StringComparison.Ordinal);
        Assert.Null(wrong.Document.QuerySelector("#no-passkeys"));
        page = await client.SubmitAsync(confirm, new Dictionary<string, string> { ["Password"] = PortalFactory.AdminPassword }, "#remove-passkey");

        Assert.Contains("\"Desk key\" is removed", page.Text, StringComparison.Ordinal);
        Assert.NotNull(page.Document.QuerySelector("#no-passkeys"));
        Assert.Equal(1, await SignInTests.CountEventsAsync(portal, AuditEventTypes.PasskeyRenamed));
        Assert.Equal(1, await SignInTests.CountEventsAsync(portal, AuditEventTypes.PasskeyRemoved));
        await portal.RunNextPassAsync<OutboxSender>();
        Assert.Contains(portal.Mail.To(PortalFactory.AdminEmail), m => m.Subject == "A passkey was removed from your account" && m.Body.Contains("Desk key", StringComparison.Ordinal));
        await client.SignOutAsync();
        var refused = await client.SignInWithPasskeyAsync(passkey);
        Assert.Contains(Web.Account.AccountMessages.PasskeyNotAccepted, refused.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_passkey_id_is_not_found()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var other = await admin.InviteAndOnboardAsync("other@operator.example");
        using var othersKey = new SoftwarePasskey();
        await other.Client.RegisterPasskeyAsync(othersKey, "Theirs", other.Password);

        var page = await admin.GetAsync(PasskeyPages.Passkeys);
        var token = page.Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var removed = await admin.PostAsync("/Account/Passkeys?handler=Remove",
            [new("__RequestVerificationToken", token), new("PasskeyId", othersKey.Id)]);
        var garbage = await admin.PostAsync("/Account/Passkeys?handler=Rename",
            [new("__RequestVerificationToken", token), new("PasskeyId", "%%not-base64%%"), new("Name", "x")]);

        Assert.Equal(HttpStatusCode.NotFound, removed.Status);
        Assert.Equal(HttpStatusCode.NotFound, garbage.Status);
        await using var db = portal.CreateDbContext();
        Assert.Equal(1, await db.UserPasskeys.CountAsync());
    }
}

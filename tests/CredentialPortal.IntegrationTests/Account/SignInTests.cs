using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Web.Account;
using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.IntegrationTests.Account;

public sealed class SignInTests
{
    private const string Email = PortalFactory.AdminEmail;
    private const string Password = PortalFactory.AdminPassword;

    [Fact]
    public async Task A_replayed_code_is_rejected_and_audited()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        var app = portal.AuthenticatorOf(Email)!;
        await client.SignOutAsync();

        // The enrolment used the code of the current time step; the same code again must fail.
        var codePage = await client.SubmitPasswordAsync(Email, Password);
        var replay = await client.SubmitCodeAsync(codePage, app.CurrentCode());

        Assert.Equal(AccountPages.LoginWithCode, replay.Path);
        Assert.Contains("already used", replay.Errors, StringComparison.Ordinal);
        var signedIn = await client.SubmitCodeAsync(replay, app.NextCode());
        Assert.Equal("/admin", signedIn.Path);
        Assert.Equal(1, await CountEventsAsync(portal, AuditEventTypes.MfaReplay));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Of_two_racing_sign_ins_with_the_same_code_only_one_succeeds(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        using (var enrolling = new PortalClient(portal))
        {
            await enrolling.SignInAsAdministratorAsync();
        }

        var app = portal.AuthenticatorOf(Email)!;
        using var first = new PortalClient(portal);
        using var second = new PortalClient(portal);
        var firstCodePage = await first.SubmitPasswordAsync(Email, Password);
        var secondCodePage = await second.SubmitPasswordAsync(Email, Password);
        var code = app.NextCode();

        var results = await Task.WhenAll(first.SubmitCodeAsync(firstCodePage, code), second.SubmitCodeAsync(secondCodePage, code));

        Assert.Single(results, r => r.Path == "/admin");
        Assert.Single(results, r => r.Path == AccountPages.LoginWithCode && r.Errors.Contains("already used", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Codes_more_than_one_step_away_are_rejected_and_one_step_away_accepted()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        var app = portal.AuthenticatorOf(Email)!;
        await client.SignOutAsync();
        portal.Time.Advance(TimeSpan.FromMinutes(5));
        var now = portal.Time.GetUtcNow();

        var codePage = await client.SubmitPasswordAsync(Email, Password);
        var twoStepsOld = await client.SubmitCodeAsync(codePage, app.CodeAt(now.AddSeconds(-2 * TotpAuthenticator.StepSeconds)));
        var twoStepsAhead = await client.SubmitCodeAsync(twoStepsOld, app.CodeAt(now.AddSeconds(2 * TotpAuthenticator.StepSeconds)));
        var oneStepOld = await client.SubmitCodeAsync(twoStepsAhead, app.CodeAt(now.AddSeconds(-TotpAuthenticator.StepSeconds)));

        Assert.Equal(AccountPages.LoginWithCode, twoStepsOld.Path);
        Assert.Contains("not correct", twoStepsOld.Errors, StringComparison.Ordinal);
        Assert.Equal(AccountPages.LoginWithCode, twoStepsAhead.Path);
        Assert.Equal("/admin", oneStepOld.Path);
        Assert.Equal(2, await CountEventsAsync(portal, AuditEventTypes.MfaFailed));
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var user = await admin.InviteAndOnboardAsync("recovering@operator.example");
        using var client = user.Client;
        await client.SignOutAsync();

        var first = await SignInWithRecoveryCodeAsync(client, user, user.RecoveryCodes[0]);
        Assert.Equal("/manage-api-credentials", first.Path);
        await client.SignOutAsync();
        var again = await SignInWithRecoveryCodeAsync(client, user, user.RecoveryCodes[0]);
        Assert.Equal(AccountPages.LoginWithRecoveryCode, again.Path);
        Assert.Contains("not valid", again.Errors, StringComparison.Ordinal);
        var other = await client.SubmitCodeAsync(again, user.RecoveryCodes[1]);
        Assert.Equal("/manage-api-credentials", other.Path);
        Assert.Contains("8 recovery codes left", other.Text, StringComparison.Ordinal);

        Assert.Equal(2, await CountEventsAsync(portal, AuditEventTypes.RecoveryCodeUsed));
        // Each use is emailed to the owner: someone else holding a code is noticed.
        await portal.RunNextPassAsync<OutboxSender>();
        var notices = portal.Mail.To(user.Email).Where(m => m.Subject == "A recovery code was used to sign in to your account").ToList();
        Assert.Equal(2, notices.Count);
        Assert.Contains("8 recovery codes are left", notices[^1].TextBody, StringComparison.Ordinal);
        var account = await client.GetAsync("/Account");
        Assert.Equal("8", account.Document.QuerySelector("#recovery-codes-left")?.TextContent);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Of_two_racing_sign_ins_with_the_same_recovery_code_only_one_succeeds(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var user = await admin.InviteAndOnboardAsync("racing@operator.example");
        using var first = new PortalClient(portal);
        using var second = new PortalClient(portal);
        await first.SubmitPasswordAsync(user.Email, user.Password);
        await second.SubmitPasswordAsync(user.Email, user.Password);
        var firstForm = await first.GetAsync(AccountPages.LoginWithRecoveryCode);
        var secondForm = await second.GetAsync(AccountPages.LoginWithRecoveryCode);

        var results = await Task.WhenAll(
            first.SubmitCodeAsync(firstForm, user.RecoveryCodes[0]), second.SubmitCodeAsync(secondForm, user.RecoveryCodes[0]));

        Assert.Single(results, r => r.Path == "/manage-api-credentials");
        Assert.Single(results, r => r.Path == AccountPages.LoginWithRecoveryCode);
        Assert.Equal("9", (await first.GetAsync("/Account")).Document.QuerySelector("#recovery-codes-left")?.TextContent
            ?? (await second.GetAsync("/Account")).Document.QuerySelector("#recovery-codes-left")?.TextContent);
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account_without_revealing_the_password()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);

        HtmlPage page = null!;
        for (var i = 0; i < 4; i++)
        {
            page = await client.SubmitPasswordAsync(Email, "wrong password number " + i);
            Assert.Contains(AccountMessages.GenericSignInFailure, page.Errors, StringComparison.Ordinal);
        }

        var fifth = await client.SubmitPasswordAsync(Email, "wrong password number 5");
        var rightPassword = await client.SubmitPasswordAsync(Email, Password);
        var wrongPassword = await client.SubmitPasswordAsync(Email, "yet another wrong one");

        // Issue 12 item 8: the attempt that locks, and every attempt while locked, read like any wrong password, so
        // neither the lockout nor the right password shows; the message says what the lockout policy is.
        Assert.Equal(page.Errors, fifth.Errors);
        Assert.Equal(AccountPages.Login, rightPassword.Path);
        Assert.Equal(wrongPassword.Errors, rightPassword.Errors);
        Assert.Equal(page.Errors, rightPassword.Errors);
        Assert.Contains("After 5 failed attempts in a row an account is locked for 15 minutes.", rightPassword.Errors, StringComparison.Ordinal);
        Assert.True(await IsLockedOutAsync(portal, Email));
        Assert.True(await CountEventsAsync(portal, AuditEventTypes.LoginLockedOut) >= 2);
        Assert.Equal(6, await CountEventsAsync(portal, AuditEventTypes.LoginFailed));
    }

    [Fact]
    public async Task Wrong_passwords_sent_in_parallel_all_count_toward_the_lockout()
    {
        await using var portal = await PortalFactory.StartAsync();
        var clients = Enumerable.Range(0, 5).Select(_ => new PortalClient(portal)).ToList();
        var forms = await Task.WhenAll(clients.Select(c => c.GetAsync(AccountPages.Login)));

        await Task.WhenAll(clients.Select((c, i) => c.SubmitLoginAsync(forms[i], Email, "parallel wrong password " + i)));

        using var client = new PortalClient(portal);
        var rightPassword = await client.SubmitPasswordAsync(Email, Password);
        Assert.Equal(AccountPages.Login, rightPassword.Path);
        Assert.True(await IsLockedOutAsync(portal, Email));
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Wrong_codes_count_toward_the_lockout_with_wrong_passwords()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        await client.SignOutAsync();

        for (var i = 0; i < 3; i++)
        {
            await client.SubmitPasswordAsync(Email, "not the password " + i);
        }

        var codePage = await client.SubmitPasswordAsync(Email, Password);
        var wrong = await client.SubmitCodeAsync(codePage, "000000");
        Assert.Equal(AccountPages.LoginWithCode, wrong.Path);
        var locked = await client.SubmitCodeAsync(wrong, "111111");

        // Issue 19 item 9: after the second factor the lockout is told plainly, with its length, as an error.
        Assert.Equal(AccountPages.Login, locked.Path);
        Assert.Contains("Too many failed attempts: this account is locked for 15 minutes.", locked.Errors, StringComparison.Ordinal);
        Assert.Empty(locked.Document.QuerySelectorAll(".status"));
        var afterwards = await client.SubmitPasswordAsync(Email, Password);
        Assert.Equal(AccountPages.Login, afterwards.Path);
        Assert.Contains(AccountMessages.GenericSignInFailure, afterwards.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_attempts_are_rate_limited_per_account()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Account:AttemptsPerAccountPerMinute"] = "3",
            ["Account:MaxFailedAttempts"] = "50",
        });
        using var client = new PortalClient(portal);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.SubmitPasswordAsync(Email, "wrong " + i + " password")).Status);
        }

        var limited = await client.SubmitPasswordAsync(Email, Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Contains(AccountMessages.ThrottledMessage, limited.Errors, StringComparison.Ordinal);
        var otherAccount = await client.SubmitPasswordAsync("other@operator.example", "some password here");
        Assert.Equal(HttpStatusCode.OK, otherAccount.Status);
    }

    [Fact]
    public async Task Sign_in_attempts_are_rate_limited_per_client_address()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Account:AttemptsPerAddressPerMinute"] = "4",
        });
        using var client = new PortalClient(portal);

        for (var i = 0; i < 4; i++)
        {
            await client.SubmitPasswordAsync($"user{i}@nowhere.example", "some password here");
        }

        var limited = await client.SubmitPasswordAsync("fresh@nowhere.example", "some password here");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
    }

    [Fact]
    public async Task The_return_url_is_followed_only_when_local()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        await client.SignOutAsync();
        var app = portal.AuthenticatorOf(Email)!;

        var login = await client.GetAsync("/Account/ChangePassword");
        Assert.Equal(AccountPages.Login, login.Path);
        var codePage = await client.SubmitLoginAsync(login, Email, Password);
        var target = await client.SubmitCodeAsync(codePage, app.NextCode());
        Assert.Equal("/Account/ChangePassword", target.Path);

        await client.SignOutAsync();
        var evil = await client.GetAsync("/Account/Login?returnUrl=https%3A%2F%2Fevil.example%2F");
        var evilCodePage = await client.SubmitLoginAsync(evil, Email, Password);
        var landed = await client.SubmitCodeAsync(evilCodePage, app.NextCode());
        Assert.Equal("localhost", landed.Url.Host);
        Assert.Equal("/admin", landed.Path);
    }

    [Fact]
    public async Task A_signed_in_user_opening_the_sign_in_or_enrolment_page_goes_on_to_their_work()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();

        Assert.Equal("/admin", (await client.GetAsync(AccountPages.Login)).Path);
        Assert.Equal("/Account/ChangePassword", (await client.GetAsync(AccountPages.Login + "?returnUrl=%2FAccount%2FChangePassword")).Path);
        var enrol = await client.GetAsync(AccountPages.Enrol);
        Assert.Equal("/Account", enrol.Path);
        Assert.Contains("signed in with your authenticator app already", enrol.Text, StringComparison.Ordinal);
    }

    private static async Task<HtmlPage> SignInWithRecoveryCodeAsync(PortalClient client, OnboardedUser user, string code)
    {
        var codePage = await client.SubmitPasswordAsync(user.Email, user.Password);
        var recoveryPage = await client.GetAsync(AccountPages.LoginWithRecoveryCode);
        Assert.Equal(AccountPages.LoginWithCode, codePage.Path);
        return await client.SubmitCodeAsync(recoveryPage, code);
    }

    internal static async Task<bool> IsLockedOutAsync(PortalFactory portal, string email)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await users.IsLockedOutAsync((await users.FindByEmailAsync(email))!);
    }

    internal static async Task<int> CountEventsAsync(PortalFactory portal, string eventType)
    {
        await using var db = portal.CreateDbContext();
        return await db.AuditEvents.CountAsync(e => e.EventType == eventType);
    }
}

using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Users;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CredentialPortal.IntegrationTests.Account;

/// <summary>Issue 12 item 8 and issue 19 items 9, 10 and 14: the gaps in account protection and sign-in.</summary>
public sealed class AccountProtectionTests
{
    [Fact]
    public async Task Wrong_current_passwords_on_the_change_password_page_lock_the_account()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        var form = await client.GetAsync("/Account/ChangePassword");

        HtmlPage page = form;
        for (var i = 0; i < 5; i++)
        {
            page = await client.SubmitAsync(form, ChangePasswordFields("wrong current password " + i));
        }

        Assert.Equal(AccountPages.Login, page.Path);
        Assert.Contains("Too many failed attempts: this account is locked for 15 minutes.", page.Errors, StringComparison.Ordinal);
        Assert.True(await SignInTests.IsLockedOutAsync(portal, PortalFactory.AdminEmail));
        Assert.Equal(5, await SignInTests.CountEventsAsync(portal, AuditEventTypes.LoginFailed));
        // The session ended with the lockout.
        Assert.Equal(AccountPages.Login, (await client.GetAsync("/Account")).Path);
    }

    [Theory]
    [InlineData("/Account/ChangePassword", "CurrentPassword")]
    [InlineData("/Account/ResetAuthenticator", "Password")]
    public async Task Password_checks_of_a_signed_in_user_use_up_the_sign_in_throttle(string path, string field)
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Account:AttemptsPerAccountPerMinute"] = "5",
            ["Account:MaxFailedAttempts"] = "50",
        });
        using var client = new PortalClient(portal);
        // Two of the five attempts: the password and the enrolment code.
        await client.SignInAsAdministratorAsync();
        var form = await client.GetAsync(path);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.SubmitAsync(form, ChangePasswordFields("wrong current password " + i, field))).Status);
        }

        var limited = await client.SubmitAsync(form, ChangePasswordFields(PortalFactory.AdminPassword, field));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Contains(AccountMessages.ThrottledMessage, limited.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checking_a_password_hashes_once_whether_or_not_the_address_has_an_account_with_a_password()
    {
        await using var portal = await PortalFactory.StartAsync();
        var hasher = new CountingPasswordHasher();
        await using var counted = portal.WithWebHostBuilder(builder => builder.ConfigureServices(services =>
        {
            services.RemoveAll<IPasswordHasher<PortalUser>>();
            services.AddSingleton<IPasswordHasher<PortalUser>>(hasher);
        }));
        await using var scope = counted.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<PortalUserManager>();
        var known = (await users.FindByEmailAsync(PortalFactory.AdminEmail))!;
        var invited = new PortalUser { UserName = "invited@operator.example", Email = "invited@operator.example", OrganisationId = known.OrganisationId };
        Assert.True((await users.CreateAsync(invited)).Succeeded);
        // The first unknown address also makes the stand-in hash; not counted below.
        await users.IsPasswordCorrectAsync(null, "warm-up");

        var counts = new List<int>();
        foreach (var user in new[] { null, invited, known })
        {
            hasher.Verifications = 0;
            Assert.False(await users.IsPasswordCorrectAsync(user, "a wrong password for everyone"));
            counts.Add(hasher.Verifications);
        }

        Assert.Equal([1, 1, 1], counts);
        Assert.True(await users.IsPasswordCorrectAsync(known, PortalFactory.AdminPassword));
    }

    [Fact]
    public async Task An_unknown_address_gets_the_same_message_as_a_wrong_password()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);

        var unknown = await client.SubmitPasswordAsync("nobody@nowhere.example", PortalFactory.AdminPassword);
        var wrong = await client.SubmitPasswordAsync(PortalFactory.AdminEmail, "wrong password here");

        Assert.Equal(wrong.Errors, unknown.Errors);
        Assert.Contains(AccountMessages.GenericSignInFailure, unknown.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_user_is_told_so_and_whom_to_ask_only_after_the_right_password()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Portal:AdministratorsEmail"] = "portal-admins@operator.example",
        });
        using var client = new PortalClient(portal);
        var wrongWhileEnabled = await client.SubmitPasswordAsync(PortalFactory.AdminEmail, "not the password at all");
        await using (var db = portal.CreateDbContext())
        {
            await db.Users.Where(u => u.Email == PortalFactory.AdminEmail).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsDisabled, true));
        }

        var wrong = await client.SubmitPasswordAsync(PortalFactory.AdminEmail, "still not the password");
        var right = await client.SubmitPasswordAsync(PortalFactory.AdminEmail, PortalFactory.AdminPassword);

        Assert.Equal(wrongWhileEnabled.Errors, wrong.Errors);
        Assert.Equal(AccountPages.Login, right.Path);
        Assert.Contains("This account is disabled. Ask the portal's administrators (portal-admins@operator.example) to enable it again.",
            right.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_of_a_deactivated_organisation_is_told_so_only_after_the_right_password()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var (organisationId, _) = await portal.CreateOrganisationAsync("Dormant Registry");
        var user = await admin.InviteAndOnboardAsync("member@dormant.example", organisationId);
        await user.Client.SignOutAsync();
        var wrongWhileActive = await user.Client.SubmitPasswordAsync(user.Email, "not the password at all");
        await using (var db = portal.CreateDbContext())
        {
            await db.Organisations.Where(o => o.Id == organisationId).ExecuteUpdateAsync(o => o.SetProperty(x => x.IsActive, false));
        }

        var wrong = await user.Client.SubmitPasswordAsync(user.Email, "still not the password");
        var right = await user.Client.SubmitPasswordAsync(user.Email, user.Password);

        Assert.Equal(wrongWhileActive.Errors, wrong.Errors);
        Assert.Contains("Your organisation's access to the portal is deactivated. Ask an administrator of the portal about it.",
            right.Errors, StringComparison.Ordinal);
        user.Client.Dispose();
    }

    [Fact]
    public async Task Recovery_codes_typed_in_lower_case_without_the_dash_or_with_spaces_are_accepted()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var user = await admin.InviteAndOnboardAsync("typing@operator.example");
        using var client = user.Client;
        string[] typed =
        [
            user.RecoveryCodes[0].Replace("-", "", StringComparison.Ordinal).ToLowerInvariant(),
            string.Join(' ', user.RecoveryCodes[1].Replace("-", "", StringComparison.Ordinal).Chunk(2).Select(c => new string(c))),
            " " + user.RecoveryCodes[2].ToLowerInvariant().Replace("-", " - ", StringComparison.Ordinal) + " ",
        ];

        foreach (var code in typed)
        {
            await client.SignOutAsync();
            Assert.Equal(AccountPages.LoginWithCode, (await client.SubmitPasswordAsync(user.Email, user.Password)).Path);
            var signedIn = await client.SubmitCodeAsync(await client.GetAsync(AccountPages.LoginWithRecoveryCode), code);
            Assert.True(signedIn.Path != AccountPages.LoginWithRecoveryCode, $"'{code}' was refused: {signedIn.Errors}");
        }

        Assert.Equal(3, await SignInTests.CountEventsAsync(portal, AuditEventTypes.RecoveryCodeUsed));
    }

    [Fact]
    public async Task After_enrolment_a_credential_manager_lands_on_manage_api_credentials_and_the_header_never_offers_sign_in()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var link = await admin.InviteAsync("landing@operator.example");
        using var client = new PortalClient(portal);

        var enrolPage = await client.AcceptInvitationAsync(link, AccountStories.NewUserPassword);
        Assert.DoesNotContain(enrolPage.Document.QuerySelectorAll("header a"), a => a.TextContent.Trim() == "Sign in");
        var (done, _, _) = await client.EnrolAsync(enrolPage, "landing@operator.example");
        var next = done.Document.QuerySelector("main a.button")!.GetAttribute("href");

        Assert.Equal("/manage-api-credentials", next);
        Assert.Equal("/manage-api-credentials", (await client.GetAsync(next!)).Path);
    }

    [Fact]
    public async Task After_an_administrator_resets_the_authenticator_enrolment_needs_the_emailed_link_and_the_password()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var user = await admin.InviteAndOnboardAsync("lost.phone@operator.example");
        await user.Client.SignOutAsync();
        string userId;
        await using (var db = portal.CreateDbContext())
        {
            userId = db.Users.Single(u => u.Email == user.Email).Id.ToString();
        }

        var reset = await admin.SubmitAsync(await admin.GetAsync("/admin/users"), new Dictionary<string, string> { ["UserId"] = userId },
            "form[action*='handler=ResetMfa']");
        Assert.Contains("they were emailed a link to set up a new one", reset.Text, StringComparison.Ordinal);

        // The password alone (all a thief may have) no longer leads to enrolment.
        using var client = new PortalClient(portal);
        var withPassword = await client.SubmitPasswordAsync(user.Email, user.Password);
        Assert.Equal(AccountPages.Login, withPassword.Path);
        Assert.Contains(AccountMessages.EnrolmentLinkNeeded, withPassword.Errors, StringComparison.Ordinal);
        Assert.Equal(AccountPages.Login, (await client.GetAsync(AccountPages.Enrol)).Path);

        var link = await portal.LatestLinkToAsync(user.Email, "EnrolFromLink");
        var linkPage = await client.GetAsync(link);
        var wrong = await client.SubmitAsync(linkPage, new Dictionary<string, string> { ["Password"] = "not the password at all" });
        Assert.Contains("password is not correct", wrong.Errors, StringComparison.Ordinal);
        var enrolPage = await client.SubmitAsync(linkPage, new Dictionary<string, string> { ["Password"] = user.Password });
        Assert.Equal(AccountPages.Enrol, enrolPage.Path);
        var (_, newApp, _) = await client.EnrolAsync(enrolPage, user.Email);

        Assert.Contains("already been used", (await new PortalClient(portal).GetAsync(link)).Text, StringComparison.Ordinal);
        await client.SignOutAsync();
        var codePage = await client.SubmitPasswordAsync(user.Email, user.Password);
        Assert.Equal(AccountPages.LoginWithCode, codePage.Path);
        Assert.NotEqual(AccountPages.LoginWithCode, (await client.SubmitCodeAsync(codePage, newApp.NextCode())).Path);
    }

    private static Dictionary<string, string> ChangePasswordFields(string current, string field = "CurrentPassword") => new()
    {
        [field] = current,
        ["Input.Password"] = "violet harbour compass eleven",
        ["Input.ConfirmPassword"] = "violet harbour compass eleven",
    };

    private sealed class CountingPasswordHasher : IPasswordHasher<PortalUser>
    {
        private readonly PasswordHasher<PortalUser> _inner = new();

        public int Verifications { get; set; }

        public string HashPassword(PortalUser user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(PortalUser user, string hashedPassword, string providedPassword)
        {
            Verifications++;
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}

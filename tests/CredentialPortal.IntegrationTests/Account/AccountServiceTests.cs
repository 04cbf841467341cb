using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Users;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Web.Account;
using CredentialPortal.Web.Hosting;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Account;

/// <summary>
/// The account services called directly, one outcome per test: <see cref="AccountSecurity"/>, <see cref="PortalSignIn"/>
/// and <see cref="AccountChanges"/>. The page tests (SignInTests, AccountProtectionTests, PasskeyTests, ...) keep what
/// the pages show; these pin what each service decides, audits, counts and queues.
/// </summary>
public sealed class AccountServiceTests : IClassFixture<AccountServicesPortal>
{
    private const string WrongPassword = "not the password at all";
    private readonly AccountServicesPortal _fixture;

    public AccountServiceTests(AccountServicesPortal fixture)
    {
        _fixture = fixture;
        _fixture.NextAddress();
    }

    // ---- AccountSecurity ----

    [Fact]
    public async Task A_failed_check_counts_toward_the_lockout_and_the_one_that_locks_audits_it_and_emails_the_owner()
    {
        var person = await _fixture.CreateUserAsync();

        var answers = new List<bool>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await FailCheckAsync(person, "somewhere"));
        }

        Assert.Equal([false, false, false, false, true], answers);
        Assert.Equal(5, await CountAuditAsync(person, AuditEventTypes.LoginFailed));
        Assert.Equal(["somewhere"], await AuditDetailsAsync(person, AuditEventTypes.LoginLockedOut));
        Assert.Equal(["Your Manage API Credentials account was locked"], await QueuedSubjectsAsync(person));
    }

    [Fact]
    public async Task A_failed_check_on_a_locked_account_is_audited_but_neither_counted_again_nor_emailed_again()
    {
        var person = await _fixture.CreateUserAsync();
        await LockAsync(person);

        Assert.True(await FailCheckAsync(person, "again"));

        Assert.Equal(6, await CountAuditAsync(person, AuditEventTypes.LoginFailed));
        Assert.Equal(1, await CountAuditAsync(person, AuditEventTypes.LoginLockedOut));
        Assert.Single(await QueuedSubjectsAsync(person));
        await using var request = await _fixture.RequestAsync();
        Assert.Equal(0, (await request.Get<PortalUserManager>().FindByEmailAsync(person.Email))!.AccessFailedCount);
    }

    [Fact]
    public async Task Trying_a_step_on_a_locked_account_is_audited_where_it_was_tried()
    {
        var person = await _fixture.CreateUserAsync();
        Assert.False(await IsLockedOutAsync(person, "before"));
        await LockAsync(person);

        Assert.True(await IsLockedOutAsync(person, "the passkey page"));

        Assert.Equal(["password step", "the passkey page"], await AuditDetailsAsync(person, AuditEventTypes.LoginLockedOut));
    }

    [Fact]
    public async Task A_recheck_without_a_signed_in_user_says_so()
    {
        await using var request = await _fixture.RequestAsync();

        Assert.Equal(RecheckStatus.NotSignedIn, (await request.Get<AccountSecurity>().BeginRecheckAsync()).Status);
    }

    [Fact]
    public async Task Rechecks_use_up_the_sign_in_throttle_of_the_account()
    {
        var person = await _fixture.CreateUserAsync();
        var statuses = new List<RecheckStatus>();
        for (var i = 0; i < 11; i++)
        {
            await using var request = await _fixture.RequestAsync(signedIn: person.Email);
            statuses.Add((await request.Get<AccountSecurity>().RecheckPasswordAsync(AccountServicesPortal.Password, "checking", "checking")).Status);
        }

        Assert.Equal([.. Enumerable.Repeat(RecheckStatus.Passed, 10), RecheckStatus.Throttled], statuses);
    }

    [Fact]
    public async Task A_failed_recheck_that_locks_the_account_ends_the_session()
    {
        var person = await _fixture.CreateUserAsync();
        var statuses = new List<RecheckStatus>();
        var cookies = new CookieJar();
        for (var i = 0; i < 5; i++)
        {
            cookies.Set(IdentitySetup.SessionCookieName, "the session");
            await using var request = await _fixture.RequestAsync(signedIn: person.Email, cookies: cookies);
            statuses.Add((await request.Get<AccountSecurity>().RecheckPasswordAsync(WrongPassword, "wrong password", "the test")).Status);
        }

        Assert.Equal([.. Enumerable.Repeat(RecheckStatus.Failed, 4), RecheckStatus.LockedOut], statuses);
        Assert.False(cookies.Has(IdentitySetup.SessionCookieName));
    }

    // ---- PortalSignIn: the password step ----

    [Fact]
    public async Task The_password_step_answers_an_unknown_address_a_wrong_password_and_a_locked_account_alike()
    {
        var person = await _fixture.CreateUserAsync();

        var unknown = await PasswordAsync("nobody@services.example", AccountServicesPortal.Password);
        var wrong = await PasswordAsync(person.Email, WrongPassword);
        await LockAsync(person);
        var lockedButRight = await PasswordAsync(person.Email, AccountServicesPortal.Password);

        Assert.All([unknown, wrong, lockedButRight], outcome => Assert.Equal(SignInStatus.Failed, outcome.Status));
        Assert.Equal(unknown.Message, wrong.Message);
        Assert.Equal(unknown.Message, lockedButRight.Message);
        Assert.StartsWith(AccountMessages.GenericSignInFailure, unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_password_step_of_an_enrolled_user_begins_a_pending_sign_in_for_the_second_factor()
    {
        var person = await _fixture.CreateUserAsync();
        var cookies = new CookieJar();

        var outcome = await PasswordAsync(person.Email, AccountServicesPortal.Password, cookies);

        Assert.Equal(SignInStatus.SecondFactorNeeded, outcome.Status);
        await using var next = await _fixture.RequestAsync(cookies: cookies);
        Assert.Equal(person.Email, (await next.Get<PortalSignIn>().GetPendingAsync())?.User.Email);
    }

    [Fact]
    public async Task The_password_step_of_a_user_without_an_authenticator_makes_a_key_and_leads_to_enrolment()
    {
        var person = await _fixture.CreateUserAsync(enrolled: false);

        var outcome = await PasswordAsync(person.Email, AccountServicesPortal.Password);

        Assert.Equal(SignInStatus.EnrolmentNeeded, outcome.Status);
        await using var request = await _fixture.RequestAsync();
        var users = request.Get<PortalUserManager>();
        Assert.NotNull(await users.GetAuthenticatorKeyAsync((await users.FindByEmailAsync(person.Email))!));
    }

    [Fact]
    public async Task The_password_step_tells_a_disabled_user_whom_to_ask_only_after_the_right_password()
    {
        var person = await _fixture.CreateUserAsync();
        await using (var db = (await _fixture.PortalAsync()).CreateDbContext())
        {
            await db.Users.Where(u => u.Email == person.Email).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsDisabled, true));
        }

        var wrong = await PasswordAsync(person.Email, WrongPassword);
        var right = await PasswordAsync(person.Email, AccountServicesPortal.Password);

        Assert.StartsWith(AccountMessages.GenericSignInFailure, wrong.Message, StringComparison.Ordinal);
        Assert.Equal(SignInStatus.Failed, right.Status);
        Assert.Equal("This account is disabled. Ask an administrator of the portal to enable it again.", right.Message);
        Assert.Contains("account disabled", await AuditDetailsAsync(person, AuditEventTypes.LoginFailed));
    }

    [Fact]
    public async Task The_password_step_sends_someone_whose_authenticator_an_administrator_reset_to_the_emailed_link()
    {
        var person = await _fixture.CreateUserAsync();
        await using (var request = await _fixture.RequestAsync())
        {
            var users = request.Get<PortalUserManager>();
            var user = (await users.FindByEmailAsync(person.Email))!;
            await users.SetTwoFactorEnabledAsync(user, false);
            await users.RequireEnrolmentLinkAsync(user);
        }

        var outcome = await PasswordAsync(person.Email, AccountServicesPortal.Password);

        Assert.Equal(new SignInOutcome(SignInStatus.Failed, AccountMessages.EnrolmentLinkNeeded), outcome);
    }

    [Fact]
    public async Task The_password_step_is_throttled_per_account()
    {
        var person = await _fixture.CreateUserAsync();
        var statuses = new List<SignInStatus>();
        for (var i = 0; i < 11; i++)
        {
            statuses.Add((await PasswordAsync(person.Email, AccountServicesPortal.Password)).Status);
        }

        Assert.Equal([.. Enumerable.Repeat(SignInStatus.SecondFactorNeeded, 10), SignInStatus.Throttled], statuses);
    }

    // ---- PortalSignIn: the second factor ----

    [Fact]
    public async Task A_second_factor_without_a_pending_sign_in_is_refused()
    {
        await using var request = await _fixture.RequestAsync();

        Assert.Equal(SignInStatus.NoPendingSignIn, (await request.Get<PortalSignIn>().SecondFactorAsync(SecondFactor.AuthenticatorCode, "123456")).Status);
    }

    [Fact]
    public async Task An_authenticator_code_completes_the_sign_in_once_and_its_replay_is_refused()
    {
        var person = await _fixture.CreateUserAsync();
        var code = person.App.NextCode();

        var first = await SecondFactorAsync(person, SecondFactor.AuthenticatorCode, code);
        var replay = await SecondFactorAsync(person, SecondFactor.AuthenticatorCode, code);

        Assert.Equal(SignInStatus.SignedIn, first.Status);
        Assert.Equal(new SignInOutcome(SignInStatus.Failed, AccountMessages.CodeReplayed), replay);
        Assert.Equal(1, await CountAuditAsync(person, AuditEventTypes.MfaReplay));
        Assert.Equal(["authenticator code"], await AuditDetailsAsync(person, AuditEventTypes.LoginSucceeded));
    }

    [Fact]
    public async Task Wrong_second_factors_lock_the_account_and_end_the_pending_sign_in()
    {
        var person = await _fixture.CreateUserAsync();
        var cookies = new CookieJar();
        await PasswordAsync(person.Email, AccountServicesPortal.Password, cookies);

        var statuses = new List<SignInStatus>();
        for (var i = 0; i < 5; i++)
        {
            await using var request = await _fixture.RequestAsync(cookies: cookies);
            statuses.Add((await request.Get<PortalSignIn>().SecondFactorAsync(SecondFactor.AuthenticatorCode, "000000")).Status);
        }

        Assert.Equal([.. Enumerable.Repeat(SignInStatus.Failed, 4), SignInStatus.LockedOut], statuses);
        Assert.False(cookies.Has(IdentitySetup.PendingCookieName));
        Assert.Equal(["authenticator code"], await AuditDetailsAsync(person, AuditEventTypes.LoginLockedOut));
    }

    [Fact]
    public async Task A_recovery_code_completes_the_sign_in_and_says_how_many_are_left()
    {
        var person = await _fixture.CreateUserAsync();
        string code;
        await using (var request = await _fixture.RequestAsync())
        {
            var users = request.Get<PortalUserManager>();
            code = (await users.GenerateNewTwoFactorRecoveryCodesAsync((await users.FindByEmailAsync(person.Email))!, RecoveryCode.CodesPerSet))!.First();
        }

        var outcome = await SecondFactorAsync(person, SecondFactor.RecoveryCode, code.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal));
        var again = await SecondFactorAsync(person, SecondFactor.RecoveryCode, code);

        Assert.Equal(SignInStatus.SignedIn, outcome.Status);
        Assert.Equal(9, outcome.RecoveryCodesLeft);
        Assert.Equal(new SignInOutcome(SignInStatus.Failed, AccountMessages.RecoveryCodeWrong), again);
        Assert.Equal(["9 recovery codes left"], await AuditDetailsAsync(person, AuditEventTypes.RecoveryCodeUsed));
    }

    [Fact]
    public async Task Under_the_passkey_policy_an_administrator_signing_in_with_a_code_is_sent_to_register_a_passkey()
    {
        var person = await _fixture.CreateUserAsync();
        await using (var request = await _fixture.RequestAsync())
        {
            var users = request.Get<PortalUserManager>();
            Assert.True((await users.AddToRoleAsync((await users.FindByEmailAsync(person.Email))!, PortalRole.Administrator)).Succeeded);
        }

        var outcome = await SecondFactorAsync(person, SecondFactor.AuthenticatorCode, person.App.NextCode());

        Assert.Equal(SignInStatus.SignedInPasskeyNeeded, outcome.Status);
    }

    [Fact]
    public async Task A_passkey_that_is_not_the_pending_users_is_a_failed_second_factor()
    {
        var person = await _fixture.CreateUserAsync();

        var outcome = await SecondFactorAsync(person, SecondFactor.Passkey, "{}");

        Assert.Equal(new SignInOutcome(SignInStatus.Failed, AccountMessages.SecondFactorPasskeyWrong), outcome);
        Assert.Equal(["passkey"], await AuditDetailsAsync(person, AuditEventTypes.MfaFailed));
    }

    // ---- PortalSignIn: enrolment ----

    [Fact]
    public async Task Enrolment_without_a_pending_sign_in_is_refused()
    {
        await using var request = await _fixture.RequestAsync();

        Assert.Equal(SignInStatus.NoPendingSignIn, (await request.Get<PortalSignIn>().EnrolAsync("123456")).Status);
    }

    [Fact]
    public async Task A_wrong_enrolment_code_is_audited_but_not_counted_toward_the_lockout()
    {
        var person = await _fixture.CreateUserAsync(enrolled: false);
        var cookies = new CookieJar();
        await PasswordAsync(person.Email, AccountServicesPortal.Password, cookies);

        await using var request = await _fixture.RequestAsync(cookies: cookies);
        var outcome = await request.Get<PortalSignIn>().EnrolAsync("000000");

        Assert.Equal(new SignInOutcome(SignInStatus.Failed, AccountMessages.EnrolmentCodeWrong), outcome);
        Assert.Equal(["enrolment"], await AuditDetailsAsync(person, AuditEventTypes.MfaFailed));
        Assert.Equal(0, (await request.Get<PortalUserManager>().FindByEmailAsync(person.Email))!.AccessFailedCount);
    }

    [Fact]
    public async Task Enrolment_turns_on_the_second_factor_and_returns_a_set_of_recovery_codes()
    {
        var person = await _fixture.CreateUserAsync(enrolled: false);
        var cookies = new CookieJar();
        await PasswordAsync(person.Email, AccountServicesPortal.Password, cookies);
        await using var request = await _fixture.RequestAsync(cookies: cookies);
        var users = request.Get<PortalUserManager>();
        var app = new AuthenticatorApp((await users.GetAuthenticatorKeyAsync((await users.FindByEmailAsync(person.Email))!))!, (await _fixture.PortalAsync()).Time);

        var outcome = await request.Get<PortalSignIn>().EnrolAsync(app.NextCode());

        Assert.Equal(SignInStatus.SignedIn, outcome.Status);
        Assert.Equal(RecoveryCode.CodesPerSet, outcome.RecoveryCodes.Count);
        Assert.True((await users.FindByEmailAsync(person.Email))!.TwoFactorEnabled);
        Assert.Equal(1, await CountAuditAsync(person, AuditEventTypes.MfaEnrolled));
    }

    [Fact]
    public async Task Wrong_passwords_with_the_enrolment_link_lock_the_account_like_wrong_passwords_at_sign_in()
    {
        var person = await _fixture.CreateUserAsync(enrolled: false);

        var statuses = new List<SignInStatus>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await EnrolmentLinkPasswordAsync(person, WrongPassword)).Status);
        }

        Assert.Equal([.. Enumerable.Repeat(SignInStatus.Failed, 4), SignInStatus.LockedOut, SignInStatus.LockedOut], statuses);
        Assert.Equal(["enrolment link", "enrolment link"], await AuditDetailsAsync(person, AuditEventTypes.LoginLockedOut));
    }

    [Fact]
    public async Task The_right_password_with_the_enrolment_link_makes_a_new_key_and_begins_enrolment()
    {
        var person = await _fixture.CreateUserAsync(enrolled: false);
        var cookies = new CookieJar();

        var outcome = await EnrolmentLinkPasswordAsync(person, AccountServicesPortal.Password, cookies);

        Assert.Equal(SignInStatus.EnrolmentNeeded, outcome.Status);
        Assert.True(cookies.Has(IdentitySetup.PendingCookieName));
    }

    // ---- PortalSignIn: passkeys without a password, and confirmation ----

    [Fact]
    public async Task A_passwordless_sign_in_without_an_answer_from_the_browser_is_audited_and_refused()
    {
        await using var request = await _fixture.RequestAsync();

        var outcome = await request.Get<PortalSignIn>().PasswordlessAsync(null);

        Assert.Equal(new SignInOutcome(SignInStatus.Failed, AccountMessages.PasskeyNotAccepted), outcome);
        Assert.True(await request.Db.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.LoginFailed
            && e.Actor == "anonymous" && e.Details == "passkey not accepted: no answer from the browser"));
    }

    [Fact]
    public async Task A_passkey_confirmation_without_a_signed_in_user_says_so()
    {
        await using var request = await _fixture.RequestAsync();

        Assert.Equal(SignInStatus.NotSignedIn, (await request.Get<PortalSignIn>().ConfirmWithPasskeyAsync("{}")).Status);
    }

    [Fact]
    public async Task A_passkey_confirmation_with_no_ceremony_is_a_failed_recheck()
    {
        var person = await _fixture.CreateUserAsync();
        await using var request = await _fixture.RequestAsync(signedIn: person.Email);

        var outcome = await request.Get<PortalSignIn>().ConfirmWithPasskeyAsync("{}");

        Assert.Equal(new SignInOutcome(SignInStatus.Failed, AccountMessages.ConfirmationPasskeyWrong), outcome);
        Assert.Equal(["passkey confirmation"], await AuditDetailsAsync(person, AuditEventTypes.MfaFailed));
    }

    // ---- AccountChanges ----

    [Fact]
    public async Task Changing_the_password_needs_a_signed_in_user()
    {
        await using var request = await _fixture.RequestAsync();

        Assert.Equal(AccountChangeStatus.NotSignedIn, (await request.Get<AccountChanges>().ChangePasswordAsync("a", "b")).Status);
    }

    [Fact]
    public async Task A_wrong_current_password_is_a_failed_recheck()
    {
        var person = await _fixture.CreateUserAsync();
        await using var request = await _fixture.RequestAsync(signedIn: person.Email);

        var change = await request.Get<AccountChanges>().ChangePasswordAsync(WrongPassword, "violet harbour compass eleven");

        Assert.Equal(AccountChangeStatus.PasswordWrong, change.Status);
        Assert.Equal([AccountMessages.CurrentPasswordWrong], change.Problems);
        Assert.Equal(["wrong current password when changing the password"], await AuditDetailsAsync(person, AuditEventTypes.LoginFailed));
    }

    [Fact]
    public async Task A_new_password_the_rules_refuse_comes_back_with_the_reasons()
    {
        var person = await _fixture.CreateUserAsync();
        await using var request = await _fixture.RequestAsync(signedIn: person.Email);

        var change = await request.Get<AccountChanges>().ChangePasswordAsync(AccountServicesPortal.Password, "short");

        Assert.Equal(AccountChangeStatus.Refused, change.Status);
        Assert.NotEmpty(change.Problems);
    }

    [Fact]
    public async Task A_changed_password_is_audited_and_the_owner_emailed()
    {
        var person = await _fixture.CreateUserAsync();
        const string newPassword = "violet harbour compass eleven";
        await using var request = await _fixture.RequestAsync(signedIn: person.Email);

        var change = await request.Get<AccountChanges>().ChangePasswordAsync(AccountServicesPortal.Password, newPassword);

        Assert.Equal(AccountChangeStatus.Done, change.Status);
        Assert.Equal(1, await CountAuditAsync(person, AuditEventTypes.PasswordChanged));
        Assert.Single(await QueuedSubjectsAsync(person));
        var users = request.Get<PortalUserManager>();
        Assert.True(await users.CheckPasswordAsync((await users.FindByEmailAsync(person.Email))!, newPassword));
    }

    [Fact]
    public async Task Resetting_the_authenticator_removes_the_second_factor_and_emails_the_enrolment_link_without_a_pending_sign_in()
    {
        var person = await _fixture.CreateUserAsync();
        var cookies = new CookieJar();
        await using (var request = await _fixture.RequestAsync(signedIn: person.Email, cookies: cookies))
        {
            var users = request.Get<PortalUserManager>();
            var user = (await users.FindByEmailAsync(person.Email))!;
            await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCode.CodesPerSet);

            var change = await request.Get<AccountChanges>().ResetAuthenticatorAsync(AccountServicesPortal.Password);

            Assert.Equal(AccountChangeStatus.Done, change.Status);
            Assert.False(user.TwoFactorEnabled);
            Assert.Equal(0, await users.CountRecoveryCodesAsync(user));
            Assert.Null(await users.GetAuthenticatorKeyAsync(user));
            Assert.True(await users.NeedsEnrolmentLinkAsync(user));
        }

        Assert.Equal(["by the user"], await AuditDetailsAsync(person, AuditEventTypes.MfaReset));
        Assert.Equal(["Set up your new authenticator app"], await QueuedSubjectsAsync(person));
        Assert.False(cookies.Has(IdentitySetup.PendingCookieName));
    }

    [Fact]
    public async Task New_recovery_codes_replace_the_old_ones()
    {
        var person = await _fixture.CreateUserAsync();
        await using var request = await _fixture.RequestAsync(signedIn: person.Email);
        var users = request.Get<PortalUserManager>();
        var user = (await users.FindByEmailAsync(person.Email))!;
        var old = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCode.CodesPerSet))!.First();

        var change = await request.Get<AccountChanges>().RegenerateRecoveryCodesAsync();

        Assert.Equal(AccountChangeStatus.Done, change.Status);
        Assert.Equal(RecoveryCode.CodesPerSet, change.RecoveryCodes.Count);
        Assert.False((await users.RedeemTwoFactorRecoveryCodeAsync(user, old)).Succeeded);
        Assert.Equal(1, await CountAuditAsync(person, AuditEventTypes.RecoveryCodesRegenerated));
    }

    [Fact]
    public async Task Signing_out_everywhere_changes_the_security_stamp()
    {
        var person = await _fixture.CreateUserAsync();
        await using var request = await _fixture.RequestAsync(signedIn: person.Email);
        var users = request.Get<PortalUserManager>();
        var before = await users.GetSecurityStampAsync((await users.FindByEmailAsync(person.Email))!);

        var change = await request.Get<AccountChanges>().SignOutEverywhereAsync();

        Assert.Equal(AccountChangeStatus.Done, change.Status);
        Assert.NotEqual(before, await users.GetSecurityStampAsync((await users.FindByEmailAsync(person.Email))!));
        Assert.Equal(1, await CountAuditAsync(person, AuditEventTypes.SignedOutEverywhere));
    }

    [Fact]
    public async Task A_password_reset_is_queued_only_for_an_account_that_may_sign_in_and_is_throttled_per_account()
    {
        var person = await _fixture.CreateUserAsync();
        var statuses = new List<AccountChangeStatus>();
        await using (var request = await _fixture.RequestAsync())
        {
            statuses.Add((await request.Get<AccountChanges>().RequestPasswordResetAsync("nobody@services.example")).Status);
        }

        for (var i = 0; i < 11; i++)
        {
            await using var request = await _fixture.RequestAsync();
            statuses.Add((await request.Get<AccountChanges>().RequestPasswordResetAsync(person.Email)).Status);
        }

        Assert.Equal([.. Enumerable.Repeat(AccountChangeStatus.Done, 11), AccountChangeStatus.Throttled], statuses);
        Assert.Equal(10, (await QueuedSubjectsAsync(person)).Count);
    }

    [Fact]
    public async Task An_invitation_accepted_with_a_password_the_rules_refuse_leaves_the_account_without_one()
    {
        var portal = await _fixture.PortalAsync();
        await using var request = await _fixture.RequestAsync();
        var users = request.Get<PortalUserManager>();
        var invited = new PortalUser
        {
            UserName = "invited@services.example", Email = "invited@services.example",
            OrganisationId = await portal.OrganisationIdOfAsync(PortalFactory.AdminEmail),
        };
        Assert.True((await users.CreateAsync(invited)).Succeeded);

        var change = await request.Get<AccountChanges>().AcceptInvitationAsync(invited, "short");

        Assert.Equal(AccountChangeStatus.Refused, change.Status);
        Assert.NotEmpty(change.Problems);
        Assert.False(await users.HasPasswordAsync(invited));
        Assert.True(await request.Get<AccountChanges>().IsInvitationOpenAsync(invited));
    }

    [Fact]
    public async Task Renaming_or_removing_a_passkey_the_user_does_not_have_is_not_found()
    {
        var person = await _fixture.CreateUserAsync();
        await using var request = await _fixture.RequestAsync(signedIn: person.Email);
        var changes = request.Get<AccountChanges>();

        Assert.Equal(AccountChangeStatus.NotFound, (await changes.RenamePasskeyAsync("AAAA", "Phone")).Status);
        Assert.Equal(AccountChangeStatus.NotFound, (await changes.RemovePasskeyAsync("AAAA", AccountServicesPortal.Password)).Status);
    }

    [Fact]
    public async Task A_passkey_is_added_after_the_password_and_removed_after_it_again()
    {
        var person = await _fixture.CreateUserAsync();
        var cookies = new CookieJar();
        using var passkey = new SoftwarePasskey();

        AccountChange wrong, options;
        await using (var request = await _fixture.RequestAsync(signedIn: person.Email, cookies: cookies))
        {
            wrong = await request.Get<AccountChanges>().PasskeyCreationOptionsAsync(WrongPassword);
            options = await request.Get<AccountChanges>().PasskeyCreationOptionsAsync(AccountServicesPortal.Password);
        }

        AccountChange registered;
        await using (var request = await _fixture.RequestAsync(signedIn: person.Email, cookies: cookies))
        {
            registered = await request.Get<AccountChanges>().RegisterPasskeyAsync(" Work laptop ", passkey.Create(options.PasskeyOptionsJson!));
        }

        AccountChange removalWithWrongPassword, removed;
        await using (var request = await _fixture.RequestAsync(signedIn: person.Email))
        {
            removalWithWrongPassword = await request.Get<AccountChanges>().RemovePasskeyAsync(passkey.Id, WrongPassword);
            removed = await request.Get<AccountChanges>().RemovePasskeyAsync(passkey.Id, AccountServicesPortal.Password);
        }

        Assert.Equal(AccountChangeStatus.PasswordWrong, wrong.Status);
        Assert.Equal(AccountChangeStatus.Done, options.Status);
        Assert.Equal((AccountChangeStatus.Done, "Work laptop", false), (registered.Status, registered.PasskeyName, registered.ConfirmWithPasskeyNext));
        Assert.Equal(AccountChangeStatus.PasswordWrong, removalWithWrongPassword.Status);
        Assert.Equal(AccountChangeStatus.Done, removed.Status);
        Assert.Equal(["Work laptop"], await AuditDetailsAsync(person, AuditEventTypes.PasskeyAdded));
        Assert.Equal(["Work laptop"], await AuditDetailsAsync(person, AuditEventTypes.PasskeyRemoved));
        Assert.Equal(2, (await QueuedSubjectsAsync(person)).Count);
    }

    // ---- helpers ----

    private async Task<bool> FailCheckAsync(ServiceUser person, string where)
    {
        await using var request = await _fixture.RequestAsync();
        var user = (await request.Get<PortalUserManager>().FindByEmailAsync(person.Email))!;
        return await request.Get<AccountSecurity>().FailedCheckAsync(user, AuditEventTypes.LoginFailed, "wrong password in a test", where);
    }

    private async Task<bool> IsLockedOutAsync(ServiceUser person, string where)
    {
        await using var request = await _fixture.RequestAsync();
        var user = (await request.Get<PortalUserManager>().FindByEmailAsync(person.Email))!;
        return await request.Get<AccountSecurity>().IsLockedOutAsync(user, where);
    }

    /// <summary>Five wrong passwords at the password step.</summary>
    private async Task LockAsync(ServiceUser person)
    {
        for (var i = 0; i < 5; i++)
        {
            await PasswordAsync(person.Email, WrongPassword + i);
        }
    }

    private async Task<SignInOutcome> PasswordAsync(string email, string password, CookieJar? cookies = null)
    {
        await using var request = await _fixture.RequestAsync(cookies: cookies);
        return await request.Get<PortalSignIn>().PasswordAsync(email, password);
    }

    /// <summary>The password step, then <paramref name="factor"/> in a second request with the pending cookie.</summary>
    private async Task<SignInOutcome> SecondFactorAsync(ServiceUser person, SecondFactor factor, string answer)
    {
        var cookies = new CookieJar();
        Assert.Equal(SignInStatus.SecondFactorNeeded, (await PasswordAsync(person.Email, AccountServicesPortal.Password, cookies)).Status);
        await using var request = await _fixture.RequestAsync(cookies: cookies);
        return await request.Get<PortalSignIn>().SecondFactorAsync(factor, answer);
    }

    private async Task<SignInOutcome> EnrolmentLinkPasswordAsync(ServiceUser person, string password, CookieJar? cookies = null)
    {
        await using var request = await _fixture.RequestAsync(cookies: cookies);
        var user = (await request.Get<PortalUserManager>().FindByEmailAsync(person.Email))!;
        return await request.Get<PortalSignIn>().EnrolmentLinkPasswordAsync(user, password);
    }

    private async Task<int> CountAuditAsync(ServiceUser person, string eventType) => (await AuditDetailsAsync(person, eventType)).Count;

    private async Task<List<string?>> AuditDetailsAsync(ServiceUser person, string eventType)
    {
        await using var db = (await _fixture.PortalAsync()).CreateDbContext();
        return await db.AuditEvents.Where(e => e.Actor == person.Email && e.EventType == eventType).OrderBy(e => e.Id).Select(e => e.Details).ToListAsync();
    }

    private async Task<List<string>> QueuedSubjectsAsync(ServiceUser person)
    {
        await using var db = (await _fixture.PortalAsync()).CreateDbContext();
        return await db.OutboxMessages.Where(m => m.Recipients!.Contains(person.Email)).OrderBy(m => m.Id).Select(m => m.Subject!).ToListAsync();
    }
}

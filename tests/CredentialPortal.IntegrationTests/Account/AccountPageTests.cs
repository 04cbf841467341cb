using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Web.Account;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Account;

public sealed class AccountPageTests
{
    [Fact]
    public async Task Changing_the_password_needs_the_current_one()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        const string newPassword = "violet harbour compass eleven";

        var form = await client.GetAsync("/Account/ChangePassword");
        var wrong = await client.SubmitAsync(form, Fields("not my password at all", newPassword));
        Assert.Contains("current password is not correct", wrong.Errors, StringComparison.Ordinal);
        var tooLong = await client.SubmitAsync(form, Fields(PortalFactory.AdminPassword, new string('x', 129)));
        Assert.Contains("128", tooLong.Errors, StringComparison.Ordinal);

        var done = await client.SubmitAsync(form, Fields(PortalFactory.AdminPassword, newPassword));
        Assert.Equal("/Account", done.Path);
        Assert.Contains("password was changed", done.Text, StringComparison.Ordinal);
        Assert.Equal("/Account", (await client.GetAsync("/Account")).Path);
        await client.SignOutAsync();
        Assert.Equal("/admin", (await client.SignInAsync(PortalFactory.AdminEmail, newPassword)).Path);
        Assert.Equal(1, await SignInTests.CountEventsAsync(portal, AuditEventTypes.PasswordChanged));
    }

    [Fact]
    public async Task Resetting_the_authenticator_needs_the_password_then_the_emailed_link_and_invalidates_the_old_key_and_recovery_codes()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var user = await admin.InviteAndOnboardAsync("new.phone@operator.example");
        var client = user.Client;

        var form = await client.GetAsync("/Account/ResetAuthenticator");
        var wrong = await client.SubmitAsync(form, new Dictionary<string, string> { ["Password"] = "definitely wrong password" });
        Assert.Contains("password is not correct", wrong.Errors, StringComparison.Ordinal);
        var signedOut = await client.SubmitAsync(form, new Dictionary<string, string> { ["Password"] = user.Password });
        Assert.Equal(AccountPages.Login, signedOut.Path);
        Assert.Contains("We emailed you a link", signedOut.Text, StringComparison.Ordinal);
        Assert.Equal(AccountPages.Login, (await client.GetAsync("/Account")).Path);

        // Half-way, the password (all a thief may have) leads neither to enrolment nor past the old authenticator.
        var withPassword = await client.SubmitPasswordAsync(user.Email, user.Password);
        Assert.Equal(AccountPages.Login, withPassword.Path);
        Assert.Contains(AccountMessages.EnrolmentLinkNeeded, withPassword.Errors, StringComparison.Ordinal);
        Assert.Equal(AccountPages.Login, (await client.GetAsync(AccountPages.Enrol)).Path);

        var link = await portal.LatestLinkToAsync(user.Email, "EnrolFromLink");
        Assert.Contains(portal.Mail.To(user.Email), m => m.Body.Contains("You reset the authenticator app", StringComparison.Ordinal));
        var enrol = await client.SubmitAsync(await client.GetAsync(link), new Dictionary<string, string> { ["Password"] = user.Password });
        Assert.Equal(AccountPages.Enrol, enrol.Path);
        Assert.NotEqual(user.Authenticator.Key, enrol.EnrolmentKey());
        var (_, newApp, newCodes) = await client.EnrolAsync(enrol, user.Email);
        Assert.Equal(10, newCodes.Count);
        Assert.Equal("/Account", (await client.GetAsync("/Account")).Path);

        await client.SignOutAsync();
        var codePage = await client.SubmitPasswordAsync(user.Email, user.Password);
        portal.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(AccountPages.LoginWithCode, (await client.SubmitCodeAsync(codePage, user.Authenticator.CurrentCode())).Path);
        var recovery = await client.GetAsync(AccountPages.LoginWithRecoveryCode);
        Assert.Equal(AccountPages.LoginWithRecoveryCode, (await client.SubmitCodeAsync(recovery, user.RecoveryCodes[0])).Path);
        Assert.Equal("/manage-api-credentials", (await client.SubmitCodeAsync(codePage, newApp.NextCode())).Path);
        Assert.Equal(1, await SignInTests.CountEventsAsync(portal, AuditEventTypes.MfaReset));
    }

    [Fact]
    public async Task New_recovery_codes_replace_the_old_ones()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var user = await admin.InviteAndOnboardAsync("careful@operator.example");
        var client = user.Client;

        var page = await client.GetAsync("/Account/RecoveryCodes");
        var generated = await client.SubmitAsync(page);
        var codes = generated.RecoveryCodes();
        Assert.Equal(10, codes.Count);
        Assert.Empty(codes.Intersect(user.RecoveryCodes));
        Assert.True(generated.Response.Headers.CacheControl?.NoStore);
        await using (var db = portal.CreateDbContext())
        {
            var stored = await db.UserTokens.Where(t => t.Name == "RecoveryCodes").Select(t => t.Value!).ToListAsync();
            Assert.NotEmpty(stored);
            Assert.DoesNotContain(stored, value => codes.Any(code => value.Contains(code, StringComparison.OrdinalIgnoreCase)));
        }

        await client.SignOutAsync();
        await client.SubmitPasswordAsync(user.Email, user.Password);
        var recovery = await client.GetAsync(AccountPages.LoginWithRecoveryCode);
        var old = await client.SubmitCodeAsync(recovery, user.RecoveryCodes[0]);
        Assert.Equal(AccountPages.LoginWithRecoveryCode, old.Path);
        Assert.Equal("/manage-api-credentials", (await client.SubmitCodeAsync(old, codes[0].ToLowerInvariant())).Path);
        Assert.Equal(1, await SignInTests.CountEventsAsync(portal, AuditEventTypes.RecoveryCodesRegenerated));
    }

    [Fact]
    public async Task Only_administrators_can_invite()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var user = await admin.InviteAndOnboardAsync("member@operator.example");

        var page = await user.Client.GetAsync("/Admin/Users/Invite");

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, page.Status);
        Assert.Contains("ask an administrator", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invitation_cannot_make_someone_manager_of_another_organisations_application()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var (acme, _) = await portal.CreateOrganisationAsync("Acme", "DM");
        var (_, otherApplications) = await portal.CreateOrganisationAsync("Other", "DM");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => admin.InviteAsync("x@acme.example", acme, otherApplications));

        Assert.Contains("only applications of their own organisation", error.Message, StringComparison.Ordinal);
        await portal.RunNextPassAsync<OutboxSender>();
        Assert.Empty(portal.Mail.To("x@acme.example"));
    }

    private static Dictionary<string, string> Fields(string current, string next) => new()
    {
        ["CurrentPassword"] = current,
        ["Input.Password"] = next,
        ["Input.ConfirmPassword"] = next,
    };
}

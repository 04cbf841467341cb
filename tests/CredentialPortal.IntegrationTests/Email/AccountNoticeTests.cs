using CredentialPortal.Core.Outbox;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;

namespace CredentialPortal.IntegrationTests.Email;

/// <summary>
/// Issue 19 item 17: every email in one layout with a text and an HTML part; the owner hears of a lockout and of a
/// password change; the invitation names the applications the person will manage.
/// </summary>
public sealed class AccountNoticeTests
{
    /// <summary>The layout's font stack: present in the HTML part of every email, whoever composed it.</summary>
    private const string LayoutFont = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

    [Fact]
    public async Task The_owner_is_emailed_once_when_failed_attempts_lock_the_account()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        for (var i = 0; i < 7; i++)
        {
            await client.SubmitPasswordAsync(PortalFactory.AdminEmail, "wrong password number " + i);
        }

        await portal.RunNextPassAsync<OutboxSender>();

        var notice = Assert.Single(portal.Mail.To(PortalFactory.AdminEmail), m => m.Subject.Contains("was locked", StringComparison.Ordinal));
        Assert.Contains("locked for 15 minutes", notice.TextBody, StringComparison.Ordinal);
        // The way forward is one click away: the page that emails a password-reset link.
        Assert.Contains("Reset your password: http://localhost/Account/ForgotPassword", notice.TextBody, StringComparison.Ordinal);
        Assert.Contains("href=\"http://localhost/Account/ForgotPassword\"", notice.HtmlBody, StringComparison.Ordinal);
        AssertInLayout(notice);
    }

    [Fact]
    public async Task A_password_change_is_confirmed_to_the_owner_by_email()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await client.SignInAsAdministratorAsync();
        const string newPassword = "violet harbour compass eleven";

        var form = await client.GetAsync("/Account/ChangePassword");
        await client.SubmitAsync(form, new Dictionary<string, string>
        {
            ["CurrentPassword"] = PortalFactory.AdminPassword, ["Input.Password"] = newPassword, ["Input.ConfirmPassword"] = newPassword,
        });
        await portal.RunNextPassAsync<OutboxSender>();

        var notice = Assert.Single(portal.Mail.To(PortalFactory.AdminEmail), m => m.Subject.Contains("password was changed", StringComparison.Ordinal));
        Assert.Contains("If this was not you, reset your password now", notice.TextBody, StringComparison.Ordinal);
        AssertInLayout(notice);
    }

    [Fact]
    public async Task The_invitation_names_the_applications_and_every_email_shares_one_layout()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var (organisationId, applicationIds) = await portal.CreateOrganisationAsync("Layout Org", "DM", "SMC");

        await admin.InviteAsync("manager@layout.example", organisationId, [applicationIds[0]]);

        var invitation = Assert.Single(portal.Mail.To("manager@layout.example"));
        Assert.Contains("You will manage the client secrets of: Partner-NL-LayoutOrg-DM.", invitation.TextBody, StringComparison.Ordinal);
        Assert.Contains("<strong>Partner-NL-LayoutOrg-DM</strong>", invitation.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("SMC", invitation.Body, StringComparison.Ordinal);
        Assert.All(portal.Mail.All(), AssertInLayout);
    }

    private static void AssertInLayout(PickedUpMail mail)
    {
        Assert.False(string.IsNullOrWhiteSpace(mail.TextBody), mail.Subject);
        Assert.StartsWith("<!DOCTYPE html>", mail.HtmlBody.TrimStart(), StringComparison.Ordinal);
        Assert.Contains(LayoutFont, mail.HtmlBody, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(mail.HtmlBody, "<body"));
    }
}

using CredentialPortal.Core.Audit;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Web.Pages.Account;

namespace CredentialPortal.IntegrationTests.Account;

public sealed class LinkTests
{
    private const string Invitee = "invitee@operator.example";

    [Fact]
    public async Task An_expired_invitation_says_so_and_what_to_do()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var link = await admin.InviteAsync(Invitee);

        portal.Time.Advance(TimeSpan.FromHours(72) + TimeSpan.FromMinutes(1));
        using var invitee = new PortalClient(portal);
        var page = await invitee.GetAsync(link);

        Assert.Contains("This invitation has expired", page.Text, StringComparison.Ordinal);
        Assert.Contains("send a new invitation", page.Text, StringComparison.Ordinal);
        Assert.Null(page.Document.QuerySelector("input[name='Input.Password']"));
        var post = await invitee.PostAsync(link, [new("Input.Password", AccountStories.NewUserPassword)]);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, post.Status);
    }

    [Fact]
    public async Task The_invitation_lifetime_is_configurable()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Account:InvitationLifetime"] = "01:00:00" });
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var link = await admin.InviteAsync(Invitee);
        Assert.Contains("valid for 1 hour,", portal.Mail.To(Invitee).Single().Body, StringComparison.Ordinal);

        portal.Time.Advance(TimeSpan.FromMinutes(61));
        using var invitee = new PortalClient(portal);
        Assert.Contains("This invitation has expired", (await invitee.GetAsync(link)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_used_invitation_link_fails_with_a_way_forward()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var link = await admin.InviteAsync(Invitee);
        using var first = new PortalClient(portal);
        await first.AcceptInvitationAsync(link, AccountStories.NewUserPassword);

        using var second = new PortalClient(portal);
        var page = await second.GetAsync(link);
        var form = await first.GetAsync(link);

        Assert.Contains("already been used", page.Text, StringComparison.Ordinal);
        Assert.NotNull(page.Document.QuerySelector("a[href='/Account/Login']"));
        Assert.Null(form.Document.QuerySelector("input[name='Input.Password']"));
    }

    [Fact]
    public async Task Inviting_again_replaces_the_earlier_link()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var firstLink = await admin.InviteAsync(Invitee);
        var secondLink = await admin.InviteAsync(Invitee);

        using var invitee = new PortalClient(portal);
        Assert.Contains("not valid", (await invitee.GetAsync(firstLink)).Text, StringComparison.Ordinal);
        Assert.Equal(AccountPages.Enrol, (await invitee.AcceptInvitationAsync(secondLink, AccountStories.NewUserPassword)).Path);
    }

    [Fact]
    public async Task A_tampered_link_is_not_valid()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var link = await admin.InviteAsync(Invitee);

        using var invitee = new PortalClient(portal);
        var tampered = await invitee.GetAsync(link[..^4] + "AAAA");
        var noCode = await invitee.GetAsync("/Account/AcceptInvitation?user=not-a-guid");

        Assert.Contains("not valid", tampered.Text, StringComparison.Ordinal);
        Assert.Contains("not valid", noCode.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forgot_password_sends_a_one_time_link_and_never_reveals_whether_the_address_exists()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var user = await admin.InviteAndOnboardAsync(Invitee);
        using var client = new PortalClient(portal);

        var unknown = await RequestResetAsync(client, "nobody@operator.example");
        var known = await RequestResetAsync(client, Invitee);

        Assert.Contains(ForgotPasswordModel.SentMessage, unknown.Text, StringComparison.Ordinal);
        Assert.Equal(unknown.Text, known.Text);
        var link = await portal.LatestLinkToAsync(Invitee, "ResetPassword");
        Assert.Empty(portal.Mail.To("nobody@operator.example"));

        const string newPassword = "marble lantern orchard ninety";
        var resetForm = await client.GetAsync(link);
        var done = await client.SubmitAsync(resetForm, new Dictionary<string, string> { ["Input.Password"] = newPassword, ["Input.ConfirmPassword"] = newPassword });
        Assert.Equal(AccountPages.Login, done.Path);
        Assert.Contains("Your password was changed", done.Text, StringComparison.Ordinal);

        // The reset ended the open session, the link works once, and the new password (with the code) signs in.
        Assert.Equal(AccountPages.Login, (await user.Client.GetAsync("/Account")).Path);
        var reused = await client.GetAsync(link);
        Assert.Contains("already been used", reused.Text, StringComparison.Ordinal);
        Assert.NotNull(reused.Document.QuerySelector("a[href='/Account/ForgotPassword']"));
        Assert.Equal("/manage-api-credentials", (await client.SignInAsync(Invitee, newPassword)).Path);
        Assert.Equal(1, await SignInTests.CountEventsAsync(portal, AuditEventTypes.PasswordReset));
    }

    [Fact]
    public async Task An_expired_reset_link_says_so_and_offers_a_new_one()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var client = new PortalClient(portal);
        await RequestResetAsync(client, PortalFactory.AdminEmail);
        var link = await portal.LatestLinkToAsync(PortalFactory.AdminEmail, "ResetPassword");

        portal.Time.Advance(TimeSpan.FromMinutes(61));
        var page = await client.GetAsync(link);

        Assert.Contains("has expired", page.Text, StringComparison.Ordinal);
        Assert.NotNull(page.Document.QuerySelector("a[href='/Account/ForgotPassword']"));
        Assert.Null(page.Document.QuerySelector("input[name='Input.Password']"));
    }

    [Theory]
    [InlineData("short pass1", "between 12 and 128")]
    [InlineData("password1234", "commonly used")]
    [InlineData("invitee@operator.example", "email address")]
    public async Task Weak_passwords_are_refused_when_accepting_an_invitation(string password, string message)
    {
        await using var portal = await PortalFactory.StartAsync();
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var link = await admin.InviteAsync(Invitee);
        using var invitee = new PortalClient(portal);
        var form = await invitee.GetAsync(link);

        var page = await invitee.SubmitAsync(form, new Dictionary<string, string> { ["Input.Password"] = password, ["Input.ConfirmPassword"] = password });

        Assert.Contains(message, page.Errors, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(AccountPages.Enrol, page.Path);
    }

    internal static async Task<HtmlPage> RequestResetAsync(PortalClient client, string email)
    {
        var form = await client.GetAsync("/Account/ForgotPassword");
        return await client.SubmitAsync(form, new Dictionary<string, string> { ["Email"] = email });
    }
}

using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using CredentialPortal.Testing.Credentials;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Admin;

/// <summary>What administrators type: ranges, organisation names, users (issue 19 items 1, 4 and 5).</summary>
public sealed class AdminInputTests : IAsyncLifetime
{
    private PortalFactory _portal = null!;
    private PortalClient _admin = null!;

    public async ValueTask InitializeAsync()
    {
        _portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        _admin = new PortalClient(_portal);
        await _admin.SignInAsAdministratorAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _portal.DisposeAsync();
    }

    [Theory]
    [InlineData("ops@partner.example", true)]
    [InlineData("not an address", false)]
    [InlineData("ops", false)]
    [InlineData("Ops <ops@partner.example>", false)]
    [InlineData("ops@@partner.example", false)]
    public async Task Notification_addresses_are_bare_email_addresses(string address, bool accepted)
    {
        var (organisationId, _) = await _portal.CreateOrganisationAsync("DemoOrg", "DM");

        var page = await new AdminPages(_admin).CreateApplicationAsync(organisationId, "DM", name: "Notified", notificationEmails: address);

        var refusal = $"'{address}' is not an email address.";
        if (accepted)
        {
            Assert.DoesNotContain(refusal, page.Errors, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(refusal, page.Errors, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("9999-12-31", "A secret can be valid for at most one year")]
    [InlineData("0001-01-01", "The expiry date must be after today.")]
    public async Task Secret_expiry_dates_at_the_ends_of_the_calendar_are_field_messages(string date, string message)
    {
        var (_, ids) = await _portal.CreateOrganisationAsync("DemoOrg", "DM");

        var page = await new CredentialsPages(_admin, ids[0]).SubmitNewSecretAsync("n", date);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains(message, page.Errors, StringComparison.Ordinal);
    }

    // Item 4.
    [Theory]
    [InlineData("!!! ---")]
    [InlineData("— · —")]
    public async Task An_organisation_name_no_application_name_can_be_made_from_is_refused(string name)
    {
        var page = await SubmitOrganisationAsync(name);

        Assert.Contains("needs at least one letter or digit", page.Document.QuerySelector("span[data-valmsg-for='Input.Name']")!.TextContent);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(1, await db.Organisations.CountAsync());
    }

    [Fact]
    public async Task Organisation_names_are_whitespace_normalised_and_unique_whatever_the_case_or_spacing()
    {
        Assert.Contains("Organisation Stichting Matchis added.", (await SubmitOrganisationAsync("  Stichting    Matchis ")).Text);

        var duplicate = await SubmitOrganisationAsync("stichting  MATCHIS");

        Assert.Contains("Another organisation is already called Stichting Matchis", duplicate.Text);
        await using var db = _portal.CreateDbContext();
        var stored = await db.Organisations.SingleAsync(o => o.Name != "Operator");
        Assert.Equal(("Stichting Matchis", "STICHTING MATCHIS"), (stored.Name, stored.NormalizedName));
    }

    [Fact]
    public async Task Accented_organisation_names_give_ascii_application_names()
    {
        await SubmitOrganisationAsync("Ärzte für Spender");
        await using var db = _portal.CreateDbContext();
        var id = await db.Organisations.Where(o => o.Name == "Ärzte für Spender").Select(o => o.Id).SingleAsync();

        var pages = new AdminPages(_admin);

        Assert.Contains("NL-ArztefurSpender", await pages.ProposedNamePartsAsync(id), StringComparison.Ordinal);
        var created = await pages.CreateApplicationAsync(id, "DM");
        Assert.True(created.Heading == "Partner-NL-ArztefurSpender-DM", created + " " + created.Errors);
    }

    // Item 5.
    [Fact]
    public async Task Re_inviting_a_pending_user_under_another_name_is_refused_and_renames_nobody()
    {
        await _admin.InviteAsync("jan@acme.example", displayName: "Jan Jansen");
        var page = await new AdminPages(_admin).SubmitInvitationAsync(await _portal.OrganisationIdOfAsync(PortalFactory.AdminEmail), "JAN@acme.example", "Piet Pietersen");

        Assert.Contains("jan@acme.example was already invited as Jan Jansen", page.Text);
        Assert.True(AdminPages.LinksToUser(page));
        await using var db = _portal.CreateDbContext();
        Assert.Equal("Jan Jansen", (await db.Users.SingleAsync(u => u.Email == "jan@acme.example")).DisplayName);
        Assert.Single(_portal.Mail.To("jan@acme.example"));
    }

    [Fact]
    public async Task An_administrator_corrects_a_pending_users_name_and_email_which_ends_the_old_invitation_link()
    {
        var oldLink = await _admin.InviteAsync("jan@acme.example", displayName: "Jan Jansen");
        var id = await UserIdAsync("jan@acme.example");
        var saved = await new AdminPages(_admin).SaveUserAsync(id, "jan.jansen@acme.example", "Jan B. Jansen");

        Assert.Contains("jan.jansen@acme.example saved. The earlier invitation link no longer works", saved.Text);
        await using (var db = _portal.CreateDbContext())
        {
            var user = await db.Users.SingleAsync(u => u.Id == id);
            Assert.Equal(("jan.jansen@acme.example", "JAN.JANSEN@ACME.EXAMPLE", "Jan B. Jansen"), (user.UserName, user.NormalizedEmail, user.DisplayName));
            Assert.Contains(db.AuditEvents, e => e.EventType == AuditEventTypes.UserChanged && e.Details!.Contains("email jan@acme.example → jan.jansen@acme.example"));
        }

        using var invitee = new PortalClient(_portal);
        var opened = await invitee.GetAsync(oldLink);
        Assert.DoesNotContain("Choose a password", opened.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Editing_a_user_to_an_address_someone_else_has_is_refused()
    {
        await _admin.InviteAsync("jan@acme.example", displayName: "Jan Jansen");
        var page = await new AdminPages(_admin).SaveUserAsync(await UserIdAsync("jan@acme.example"), email: PortalFactory.AdminEmail.ToUpperInvariant());

        Assert.Contains("Another user already has this email address.", page.Text);
    }

    [Fact]
    public async Task A_user_who_never_signed_in_can_be_deleted_and_one_who_did_cannot()
    {
        await _admin.InviteAsync("jan@acme.example", displayName: "Jan Jansen");
        var pending = await UserIdAsync("jan@acme.example");
        var pages = new AdminPages(_admin);

        var deleted = await pages.DeleteUserAsync(pending);

        Assert.Contains("jan@acme.example is deleted.", deleted.Text);
        await using (var db = _portal.CreateDbContext())
        {
            Assert.False(await db.Users.AnyAsync(u => u.Id == pending));
            Assert.Contains(db.AuditEvents, e => e.EventType == AuditEventTypes.UserDeleted);
        }

        var self = await UserIdAsync(PortalFactory.AdminEmail);
        Assert.False(AdminPages.OffersDeleteUser(await pages.UserAsync(self)));
        var refused = await pages.PostDeleteUserAsync(self);
        Assert.Contains("You cannot delete yourself.", refused.Text);
        Assert.Equal(HttpStatusCode.NotFound, (await pages.UserAsync(Guid.NewGuid())).Status);
    }

    private Task<HtmlPage> SubmitOrganisationAsync(string name) => new AdminPages(_admin).CreateOrganisationAsync(name, "NL");

    private async Task<Guid> UserIdAsync(string email)
    {
        await using var db = _portal.CreateDbContext();
        var normalized = email.ToUpperInvariant();
        return await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).SingleAsync();
    }
}

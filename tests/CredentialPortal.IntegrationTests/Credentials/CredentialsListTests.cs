using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using CredentialPortal.Testing.Credentials;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.Credentials;

/// <summary>
/// Issue 19 items 7, 8, 11 and 16: what the lists and the application form say. One portal for the class: each test
/// makes its own application (in an organisation of its own) and reads only that application's part of the list.
/// </summary>
public sealed class CredentialsListTests(AdministratorSession session) : IClassFixture<AdministratorSession>, IAsyncLifetime
{
    private PortalFactory Portal => session.Portal;

    public async ValueTask InitializeAsync() => await session.ReadyAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Disabling_the_only_active_secret_shows_the_cannot_obtain_tokens_warning_and_expired_secrets_offer_no_disable()
    {
        var application = await CreateApplicationAsync(Portal);
        var (_, active) = await AddSecretAsync(Portal, application);
        var (_, expired) = await AddSecretAsync(Portal, application, expiresIn: TimeSpan.FromDays(-1));
        var credentials = new CredentialsPages(session.Admin, application.Id);

        var before = await credentials.ListAsync(search: application.Name);
        Assert.DoesNotContain("no active client secret", credentials.Section(before)!.TextContent, StringComparison.Ordinal);
        Assert.True(credentials.OffersDisable(before, active));
        Assert.False(credentials.OffersDisable(before, expired));
        Assert.False(credentials.OffersEnable(before, expired));

        await SetSecretDisabledAsync(Portal, application, active, disabled: true);
        var after = await credentials.ListAsync(search: application.Name);

        Assert.Contains("This application has no active client secret: it cannot obtain tokens", credentials.Section(after)!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_create_button_counts_its_own_kind_against_what_the_limit_leaves_it_and_the_limit_reached_says_1_secret()
    {
        var application = await CreateApplicationAsync(Portal);
        await AddSecretAsync(Portal, application);
        await SetLimitAsync(application.Id, 3);
        var credentials = new CredentialsPages(session.Admin, application.Id);

        // Issue 29 item 15: the shared limit (3) less the other kind's credentials is each kind's own limit.
        var page = await credentials.ListAsync(search: application.Name);
        Assert.Contains("(1 of at most 3 secrets)", credentials.CreateSecretButton(page)!.TextContent, StringComparison.Ordinal);
        Assert.Contains("(0 of at most 2 keys)", credentials.AddKeyButton(page)!.TextContent, StringComparison.Ordinal);

        await SetLimitAsync(application.Id, 1);
        Assert.Contains("Credential limit reached (1)", credentials.Section(await credentials.ListAsync(search: application.Name))!.TextContent, StringComparison.Ordinal);
        var refused = await credentials.SubmitNewSecretAsync("second");
        Assert.Contains("already has 1 secret, the most it may have (1)", refused.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_limit_below_2_is_saved_with_a_warning_about_rotation()
    {
        var application = await CreateApplicationAsync(Portal);

        var saved = await new AdminPages(session.Admin).SaveApplicationAsync(application.Id, new Dictionary<string, string> { ["Input.CredentialLimit"] = "1" });

        Assert.Contains("cannot be rotated without an outage", saved.Text, StringComparison.Ordinal);
        Assert.NotNull(AdminPages.CredentialLimitWarning(saved));
    }

    [Fact]
    public async Task The_api_choice_limits_the_permissions()
    {
        var (organisationId, _) = await Portal.CreateOrganisationAsync("ApiChoiceOrg");

        var refused = await new AdminPages(session.Admin).CreateApplicationAsync(organisationId, "DM", permissions: ["search-match|Production"]);

        Assert.Contains("A Data Manager (DM) application can hold only Data Manager permissions, not Search and Match.", refused.Text, StringComparison.Ordinal);
        await using var db = Portal.CreateDbContext();
        Assert.DoesNotContain(db.Applications, a => a.OrganisationId == organisationId);
    }

    private async Task SetLimitAsync(int applicationId, int limit)
    {
        await using var db = Portal.CreateDbContext();
        db.Applications.Single(a => a.Id == applicationId).CredentialLimit = limit;
        await db.SaveChangesAsync();
    }
}

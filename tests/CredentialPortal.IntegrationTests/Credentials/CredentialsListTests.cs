using System.Globalization;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.Credentials;

/// <summary>Issue 19 items 7, 8, 11 and 16: what the lists and the application form say.</summary>
public sealed class CredentialsListTests : IAsyncLifetime
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

    [Fact]
    public async Task Disabling_the_only_active_secret_shows_the_cannot_obtain_tokens_warning_and_expired_secrets_offer_no_disable()
    {
        var application = await CreateApplicationAsync(_portal);
        var (_, active) = await AddSecretAsync(_portal, application);
        var (_, expired) = await AddSecretAsync(_portal, application, expiresIn: TimeSpan.FromDays(-1));

        var before = await _admin.GetAsync("/manage-api-credentials");
        Assert.DoesNotContain("no active client secret", before.Text, StringComparison.Ordinal);
        Assert.NotNull(before.Document.QuerySelector($"a[href$='/secrets/{active}/disable']"));
        Assert.Null(before.Document.QuerySelector($"a[href$='/secrets/{expired}/disable']"));
        Assert.Null(before.Document.QuerySelector($"form[action*='/secrets/{expired}/disable']"));

        await SetSecretDisabledAsync(_portal, application, active, disabled: true);
        var after = await _admin.GetAsync("/manage-api-credentials");

        Assert.Contains("This application has no active client secret: it cannot obtain tokens", after.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_create_button_says_how_many_secrets_are_left_and_the_limit_reached_says_1_secret()
    {
        var application = await CreateApplicationAsync(_portal);
        await AddSecretAsync(_portal, application);
        await SetLimitAsync(application.Id, 3);

        var page = await _admin.GetAsync("/manage-api-credentials");
        Assert.Contains("(2 of 3 left)", page.Document.QuerySelector("a[href$='/secrets/new']")!.TextContent, StringComparison.Ordinal);

        await SetLimitAsync(application.Id, 1);
        Assert.Contains("Secret limit reached (1)", (await _admin.GetAsync("/manage-api-credentials")).Text, StringComparison.Ordinal);
        var form = await _admin.GetAsync($"/manage-api-credentials/{application.Id}/secrets/new");
        var refused = await _admin.SubmitAsync(form, new Dictionary<string, string> { ["Input.Name"] = "second" });
        Assert.Contains("already has 1 secret, the most it may have (1)", refused.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_limit_below_2_is_saved_with_a_warning_about_rotation()
    {
        var application = await CreateApplicationAsync(_portal);
        var form = await _admin.GetAsync($"/admin/applications/{application.Id}");

        var saved = await _admin.SubmitAsync(form, new Dictionary<string, string> { ["Input.SecretLimit"] = "1" }, "main form.form[method=post]");

        Assert.Contains("cannot be rotated without an outage", saved.Text, StringComparison.Ordinal);
        Assert.NotNull(saved.Document.QuerySelector(".warning-text"));
    }

    [Fact]
    public async Task The_api_choice_limits_the_permissions()
    {
        var organisationId = await _portal.OrganisationIdOfAsync(PortalFactory.AdminEmail);
        var form = await _admin.GetAsync($"/admin/applications/create?organisationId={organisationId}");
        var token = form.Document.QuerySelector("main form[method=post] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        var refused = await _admin.PostAsync("/admin/applications/create", [
            new("__RequestVerificationToken", token), new("Input.OrganisationId", organisationId.ToString(CultureInfo.InvariantCulture)),
            new("Input.ApiCode", "DM"), new("Input.IsActive", "true"), new("Input.SecretLimit", "10"),
            new("Input.Permissions", "search-match|Production")]);

        Assert.Contains("A Data Manager (DM) application can hold only Data Manager permissions, not Search and Match.", refused.Text, StringComparison.Ordinal);
        await using var db = _portal.CreateDbContext();
        Assert.DoesNotContain(db.Applications, a => a.ApiCode == "DM" && a.OrganisationId == organisationId);
    }

    private async Task SetLimitAsync(int applicationId, int limit)
    {
        await using var db = _portal.CreateDbContext();
        db.Applications.Single(a => a.Id == applicationId).SecretLimit = limit;
        await db.SaveChangesAsync();
    }
}

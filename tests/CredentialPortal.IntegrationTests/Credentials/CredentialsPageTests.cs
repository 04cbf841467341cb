using System.Net;
using System.Text.Json;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Credentials;
using CredentialPortal.TokenService.Clients;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Credentials;

/// <summary>The Manage API Credentials page through its real forms, as a credential manager uses it.</summary>
public sealed class CredentialsPageTests : IAsyncLifetime
{
    private PortalFactory _portal = null!;
    private OnboardedUser _manager = null!;
    private int _ownApplication;
    private int _otherApplication;
    private CredentialsPages _credentials = null!;

    public async ValueTask InitializeAsync()
    {
        _portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        var (organisationId, ids) = await _portal.CreateOrganisationAsync("DemoOrg", "DM", "SMC");
        _ownApplication = ids[0];
        _otherApplication = ids[1];
        await using (var db = _portal.CreateDbContext())
        {
            db.ApplicationPermissions.Add(new ApplicationPermission { ApplicationId = _ownApplication, Api = "data-manager", Environment = ApiEnvironment.Production });
            db.ApplicationPermissions.Add(new ApplicationPermission { ApplicationId = _ownApplication, Api = "data-manager", Environment = ApiEnvironment.Sandbox });
            await db.SaveChangesAsync();
        }

        using var admin = new PortalClient(_portal);
        await admin.SignInAsAdministratorAsync();
        _manager = await admin.InviteAndOnboardAsync("jane.doe@demoorg.example", organisationId, [_ownApplication], "Jane Doe");
        _credentials = new CredentialsPages(_manager.Client, _ownApplication);
    }

    public async ValueTask DisposeAsync()
    {
        _manager.Client.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task A_manager_sees_only_the_applications_they_manage_with_client_id_and_permissions()
    {
        var page = await _credentials.ListAsync();

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(["Partner-NL-DemoOrg-DM"], CredentialsPages.ApplicationNames(page));
        Assert.Contains(await ClientIdAsync(_ownApplication), page.Text);
        Assert.DoesNotContain(await ClientIdAsync(_otherApplication), page.Text);
        Assert.Contains("data-manager:sandbox", page.Text);
        Assert.Contains("no client secret", page.Text);
        Assert.Contains("/connect/token", page.Text);
    }

    [Fact]
    public async Task Creating_a_secret_shows_it_once_uncached_and_it_obtains_a_token()
    {
        var (page, value) = await _credentials.CreateSecretAsync("Secret by Jane Doe");

        Assert.True(page.Response.Headers.CacheControl?.NoStore);
        Assert.Contains("only time the secret is shown", page.Text);
        Assert.Matches(SecretFormat.ScannerPattern(SecretFormat.DefaultPrefix), value);
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(_ownApplication, value)).StatusCode);

        var list = await _credentials.ListAsync();
        Assert.DoesNotContain(value, list.Body);
        Assert.Contains(SecretFormat.HintOf(value) + "…", list.Text);
        Assert.Contains("Secret by Jane Doe", list.Text);
        Assert.Contains("by jane.doe@demoorg.example", list.Text);
        Assert.Contains("never used", list.Text);

        await using var db = _portal.CreateDbContext();
        var stored = await db.ClientSecrets.SingleAsync();
        // What is stored: the SHA-256 of the value shown and its first three characters; what the list shows: the hint only.
        Assert.Equal(SecretGenerator.Hash(value), stored.Hash);
        Assert.Equal(SecretFormat.HintOf(value), stored.Hint);
        await _portal.RunNextPassAsync<OutboxSender>();
        Assert.All(_portal.Mail.All(), m => Assert.DoesNotContain(value, m.Raw + m.Body));
        Assert.Contains(_portal.Mail.To(_manager.Email), m => m.Subject.StartsWith("Client secret created", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_form_offers_a_year_and_suggests_the_creators_name()
    {
        var form = await _credentials.NewSecretFormAsync();

        var expiry = CredentialsPages.ExpiryField(form);
        Assert.Equal("2027-11-23", expiry.GetAttribute("value"));
        Assert.Equal("2027-11-23", expiry.GetAttribute("max"));
        Assert.Equal("2026-11-24", expiry.GetAttribute("min"));
        Assert.Contains("Include your name", form.Text);
    }

    [Theory]
    [InlineData("", "2027-01-01", "Enter a name for the secret.")]
    [InlineData("x", "2026-11-23", "The expiry date must be after today.")]
    [InlineData("x", "2020-01-01", "The expiry date must be after today.")]
    [InlineData("x", "2027-11-24", "at most one year")]
    [InlineData("x", "not-a-date", "is not valid")]
    public async Task Bad_input_is_refused_beside_the_field_and_nothing_is_created(string name, string expiresOn, string message)
    {
        var page = await _credentials.SubmitNewSecretAsync(name, expiresOn);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains(page.FieldErrors, e => e.Contains(message, StringComparison.Ordinal));
        await using var db = _portal.CreateDbContext();
        Assert.Equal(0, await db.ClientSecrets.CountAsync());
    }

    [Fact]
    public async Task A_name_over_100_characters_is_refused()
    {
        var page = await _credentials.SubmitNewSecretAsync(new string('a', 101));

        Assert.Contains("at most 100 characters", page.Text);
    }

    [Fact]
    public async Task The_secret_limit_is_enforced_with_a_message()
    {
        await using (var db = _portal.CreateDbContext())
        {
            await db.Applications.Where(a => a.Id == _ownApplication).ExecuteUpdateAsync(s => s.SetProperty(a => a.CredentialLimit, 1));
        }

        await _credentials.CreateSecretAsync("first");
        var page = await _credentials.SubmitNewSecretAsync("second");

        Assert.Contains("the most it may have (1)", page.Text);
    }

    [Fact]
    public async Task Disable_enable_and_delete_take_effect_at_once_in_the_token_service()
    {
        var (_, value) = await _credentials.CreateSecretAsync("Rotating");
        var secretId = await SingleSecretIdAsync();

        var confirm = await _credentials.DisablePageAsync(secretId);
        Assert.Contains("only active secret", confirm.Text);
        // The last active credential: without the second confirmation nothing changes.
        var refusedWithoutConfirmation = await _credentials.ConfirmAsync(confirm);
        Assert.Contains("Tick the box to confirm", refusedWithoutConfirmation.Text);
        var afterDisable = await _credentials.ConfirmAsync(confirm, lastCredential: true);
        Assert.Contains("is disabled", afterDisable.Text);
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenStatusAfterNextPollAsync(value));
        var refused = await RequestTokenAsync(_ownApplication, value);
        Assert.Contains("disabled", await refused.Content.ReadAsStringAsync());

        var afterEnable = await _credentials.EnableAsync(afterDisable, secretId);
        Assert.Contains("is enabled again", afterEnable.Text);
        Assert.Equal(HttpStatusCode.OK, await TokenStatusAfterNextPollAsync(value));

        var deletePage = await _credentials.DeletePageAsync(secretId);
        Assert.Contains("Rotating", deletePage.Text);
        Assert.Contains(SecretFormat.HintOf(value) + "…", deletePage.Text);
        Assert.Contains("only active secret", deletePage.Text);
        var afterDelete = await _credentials.ConfirmAsync(deletePage, lastCredential: true);
        Assert.Contains("is deleted", afterDelete.Text);
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenStatusAfterNextPollAsync(value));

        var history = await _credentials.HistoryAsync();
        foreach (var type in new[] { AuditEventTypes.SecretCreated, AuditEventTypes.SecretDisabled, AuditEventTypes.SecretEnabled, AuditEventTypes.SecretDeleted })
        {
            Assert.Contains(CredentialPortal.Web.Credentials.EventText.Title(type), history.Text);
        }

        await _portal.RunNextPassAsync<OutboxSender>();
        Assert.Equal(["created", "disabled", "enabled", "deleted"],
            _portal.Mail.To(_manager.Email).Where(m => m.Subject.StartsWith("Client secret", StringComparison.Ordinal)).Select(m => m.Subject.Split(' ')[2]));
    }

    [Fact]
    public async Task Every_handler_answers_404_for_an_application_the_user_does_not_manage()
    {
        int otherSecret;
        await using (var db = _portal.CreateDbContext())
        {
            var secret = Core.Credentials.SecretGenerator.NewSecret();
            var row = new Core.Credentials.ClientSecret
            {
                ApplicationId = _otherApplication, Name = "theirs", Hash = secret.Hash, Hint = secret.Hint,
                CreatedAt = _portal.Time.GetUtcNow().UtcDateTime, CreatedBy = "admin", ExpiresAt = _portal.Time.GetUtcNow().UtcDateTime.AddDays(30),
            };
            db.ClientSecrets.Add(row);
            await db.SaveChangesAsync();
            otherSecret = row.Id;
        }

        var theirs = new CredentialsPages(_manager.Client, _otherApplication);
        string[] gets =
        [
            theirs.NewSecretPath,
            theirs.DisablePath(otherSecret),
            theirs.DeletePath(otherSecret),
            theirs.HistoryPath,
            // A secret of another application under one's own application id.
            _credentials.DisablePath(otherSecret),
            _credentials.DeletePath(otherSecret),
        ];
        foreach (var url in gets)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _manager.Client.GetAsync(url)).Status);
        }

        string[] posts =
        [
            theirs.NewSecretPath,
            theirs.DisablePath(otherSecret),
            theirs.EnablePath(otherSecret),
            theirs.DeletePath(otherSecret),
            _credentials.DisablePath(otherSecret),
            _credentials.DeletePath(otherSecret),
        ];
        foreach (var url in posts)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _credentials.PostWithTokenAsync(url)).Status);
        }

        await using var check = _portal.CreateDbContext();
        var untouched = await check.ClientSecrets.SingleAsync(s => s.Id == otherSecret);
        Assert.Null(untouched.DisabledAt);
        Assert.Equal(1, await check.ClientSecrets.CountAsync());
    }

    [Fact]
    public async Task Posts_without_an_antiforgery_token_are_refused()
    {
        var page = await _credentials.PostNewSecretWithoutTokenAsync();

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        await using var db = _portal.CreateDbContext();
        Assert.Equal(0, await db.ClientSecrets.CountAsync());
    }

    [Fact]
    public async Task Administrators_see_every_application_and_can_filter_by_organisation_and_search()
    {
        var (otherOrganisation, _) = await _portal.CreateOrganisationAsync("OtherOrg", "DM");
        using var admin = new PortalClient(_portal);
        await admin.SignInAsAdministratorAsync();

        var lists = new CredentialsPages(admin, _ownApplication);

        var all = await lists.ListAsync();
        var filtered = await lists.ListAsync(organisationId: otherOrganisation);
        var searched = await lists.ListAsync(search: "SMC");

        Assert.Equal(3, CredentialsPages.ApplicationNames(all).Count);
        Assert.Equal(["Partner-NL-OtherOrg-DM"], CredentialsPages.ApplicationNames(filtered));
        Assert.Equal(["Partner-NL-DemoOrg-SMC"], CredentialsPages.ApplicationNames(searched));
    }

    [Fact]
    public async Task A_user_without_applications_is_told_whom_to_ask()
    {
        using var admin = new PortalClient(_portal);
        await admin.SignInAsAdministratorAsync();
        var nobody = await admin.InviteAndOnboardAsync("no.role@demoorg.example", await _portal.OrganisationIdOfAsync(_manager.Email));

        var page = await nobody.Client.GetAsync(CredentialsPages.ListPath);

        Assert.Contains("You do not manage any application yet", page.Text);
        Assert.Contains(PortalFactory.AdminEmail, page.Text);
        nobody.Client.Dispose();
    }

    [Fact]
    public async Task Expiring_and_expired_secrets_are_flagged()
    {
        await _credentials.CreateSecretAsync("soon", DateOnly.FromDateTime(_portal.Time.GetUtcNow().UtcDateTime.AddDays(20)));
        _portal.Time.Advance(TimeSpan.FromDays(10));
        await _manager.Client.SignInAsync(_manager.Email, _manager.Password); // the 8-hour session ended meanwhile

        var page = await _credentials.ListAsync();

        // 20 days from 09:00 is the start of the 20th day; 10 days on, 10 calendar days are left (issue 19 item 3).
        Assert.Contains("Expires in 10 days: rotate it now", page.Text);
        _portal.Time.Advance(TimeSpan.FromDays(11));
        await _manager.Client.SignInAsync(_manager.Email, _manager.Password);
        var expired = await _credentials.ListAsync();
        Assert.Contains("Expired", expired.Text);
    }

    /// <summary>
    /// The token service learns of changes by polling the change log (every 250 ms, on every instance, well within the
    /// promised second): lets one poll run, then asks once.
    /// </summary>
    private async Task<HttpStatusCode> TokenStatusAfterNextPollAsync(string secret)
    {
        await _portal.RunNextPassAsync<CredentialChangePoller>();
        using var response = await RequestTokenAsync(_ownApplication, secret);
        return response.StatusCode;
    }

    private async Task<int> SingleSecretIdAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.ClientSecrets.Select(s => s.Id).SingleAsync();
    }

    private async Task<string> ClientIdAsync(int applicationId)
    {
        await using var db = _portal.CreateDbContext();
        return await db.Applications.Where(a => a.Id == applicationId).Select(a => a.ClientId).SingleAsync();
    }

    private async Task<HttpResponseMessage> RequestTokenAsync(int applicationId, string secret)
    {
        using var http = _portal.CreateClient();
        var response = await TokenClient.RequestTokenAsync(http, await ClientIdAsync(applicationId), secret);
        if (response.IsSuccessStatusCode)
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("Bearer", json.RootElement.GetProperty("token_type").GetString());
        }

        return response;
    }
}

using System.Net;
using System.Security.Cryptography;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Email.Outbox;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;

namespace CredentialPortal.IntegrationTests.Keys;

/// <summary>Keys on the Manage API Credentials page, through its real forms, as a credential manager uses them.</summary>
public sealed class KeyPortalTests : IAsyncLifetime
{
    private PortalFactory _portal = null!;
    private OnboardedUser _manager = null!;
    private int _application;
    private string _clientId = "";

    public async ValueTask InitializeAsync()
    {
        _portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        var (organisationId, ids) = await _portal.CreateOrganisationAsync("KeyOrg", "DM");
        _application = ids[0];
        await using (var db = _portal.CreateDbContext())
        {
            db.ApplicationPermissions.Add(new ApplicationPermission { ApplicationId = _application, Api = "data-manager", Environment = ApiEnvironment.Production });
            await db.SaveChangesAsync();
            _clientId = (await db.Applications.SingleAsync(a => a.Id == _application)).ClientId;
        }

        using var admin = new PortalClient(_portal);
        await admin.SignInAsAdministratorAsync();
        _manager = await admin.InviteAndOnboardAsync("kim.key@keyorg.example", organisationId, [_application], "Kim Key");
    }

    public async ValueTask DisposeAsync()
    {
        _manager.Client.Dispose();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task A_pasted_key_is_listed_with_its_thumbprint_obtains_tokens_and_is_disabled_enabled_and_deleted_with_history_and_emails()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var added = await AddAsync("Key by Kim", PublicPem(ec));
        Assert.Contains("is added", added.Text);
        var key = await SingleKeyAsync();
        Assert.Contains(key.Hint, added.Text);
        Assert.Equal("EC P-256", key.KeyDescription);

        var list = await _manager.Client.GetAsync("/manage-api-credentials");
        var row = list.Document.QuerySelectorAll("table.keys tbody tr").Single();
        Assert.Contains("Key by Kim", row.TextContent);
        Assert.Contains(key.Hint, row.TextContent);
        Assert.Contains("never used", row.TextContent);
        Assert.Contains("private_key_jwt", list.Text);

        using var http = _portal.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await RequestWithAssertionAsync(http, Assertion(_portal, _clientId, Signing(ec, key.Hint)))).StatusCode);

        // The only credential: the disable page warns and wants the second confirmation.
        var confirm = await _manager.Client.GetAsync($"/manage-api-credentials/{_application}/keys/{key.Id}/disable");
        Assert.Contains("only active secret or key", confirm.Text);
        Assert.Contains("Tick the box", (await _manager.Client.SubmitAsync(confirm)).Text);
        Assert.Null((await SingleKeyAsync()).DisabledAt);
        var disabled = await _manager.Client.SubmitAsync(confirm, new Dictionary<string, string> { ["ConfirmLastCredential"] = "true" });
        Assert.Contains("is disabled", disabled.Text);
        var refused = await RequestWithAssertionAsync(http, Assertion(_portal, _clientId, Signing(ec, key.Hint)));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("the key is disabled", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var enabled = await _manager.Client.SubmitAsync(disabled, formSelector: $"form[action*='/keys/{key.Id}/disable?handler=Enable']");
        Assert.Contains("is enabled again", enabled.Text);

        var deletePage = await _manager.Client.GetAsync($"/manage-api-credentials/{_application}/keys/{key.Id}/delete");
        Assert.Contains(key.Hint, deletePage.Text);
        Assert.Contains("only active secret or key", deletePage.Text, StringComparison.Ordinal);
        var deleted = await _manager.Client.SubmitAsync(deletePage, new Dictionary<string, string> { ["ConfirmLastCredential"] = "true" });
        Assert.Contains("is deleted", deleted.Text);
        await using (var db = _portal.CreateDbContext())
        {
            Assert.False(await db.ClientKeys.AnyAsync());
        }

        var history = await _manager.Client.GetAsync($"/manage-api-credentials/{_application}/history");
        foreach (var title in new[] { "Key added", "Key disabled", "Key enabled", "Key deleted" })
        {
            Assert.Contains(title, history.Text);
        }

        await _portal.RunNextPassAsync<OutboxSender>();
        var mails = _portal.Mail.To(_manager.Email).Where(m => m.Subject.StartsWith("Client key", StringComparison.Ordinal)).ToList();
        Assert.Equal(["added", "disabled", "enabled", "deleted"], mails.Select(m => m.Subject.Split(' ')[2]));
        Assert.All(mails, m => Assert.Contains(key.Hint, m.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_DER_certificate_is_uploaded_as_a_file_and_its_expiry_is_capped_at_the_certificate()
    {
        using var certificate = SelfSignedCertificate(_portal.Time.GetUtcNow(), validFor: TimeSpan.FromDays(90));
        var form = await _manager.Client.GetAsync($"/manage-api-credentials/{_application}/keys/new");
        var token = form.Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var content = new MultipartFormDataContent
        {
            { new StringContent("Certificate key"), "Input.Name" },
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(certificate.RawData), "Input.File", "partner.cer" },
        };
        using var response = await _manager.Client.Http.PostAsync($"/manage-api-credentials/{_application}/keys/new", content);

        Assert.Contains("is added", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var key = await SingleKeyAsync();
        Assert.StartsWith("RSA 2048, certificate partner-system", key.KeyDescription, StringComparison.Ordinal);
        Assert.Equal(certificate.NotAfter.ToUniversalTime().Date, key.ExpiresAt);
        Assert.NotNull(key.CertificateNotAfter);
    }

    [Theory]
    [InlineData("private")]
    [InlineData("small")]
    [InlineData("garbage")]
    [InlineData("beyond-certificate")]
    public async Task A_refused_key_gets_a_clear_message_and_nothing_is_stored(string kind)
    {
        using var rsa = RSA.Create(kind == "small" ? 1024 : 2048);
        using var certificate = SelfSignedCertificate(_portal.Time.GetUtcNow(), validFor: TimeSpan.FromDays(30));
        var (text, expiresOn, message) = kind switch
        {
            "private" => (rsa.ExportPkcs8PrivateKeyPem(), null, "Never share a private key"),
            "small" => (PublicPem(rsa), null, "has 1024 bits; at least 2048 are required"),
            "garbage" => ("hello", null, "not a public key we can read"),
            _ => (certificate.ExportCertificatePem(), _portal.Time.GetUtcNow().AddDays(60).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                "the key cannot be valid longer"),
        };

        var page = await AddAsync("Refused", text, expiresOn);

        Assert.Contains(message, page.Errors, StringComparison.Ordinal);
        await using var db = _portal.CreateDbContext();
        Assert.False(await db.ClientKeys.AnyAsync());
        Assert.False(await db.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.KeyAdded));
    }

    [Fact]
    public async Task Under_keys_only_no_secret_can_be_created_and_existing_secrets_stop_working()
    {
        await using (var db = _portal.CreateDbContext())
        {
            (await db.Applications.SingleAsync(a => a.Id == _application)).AuthenticationPolicy = AuthenticationPolicy.KeysOnly;
            await db.SaveChangesAsync();
        }

        var list = await _manager.Client.GetAsync("/manage-api-credentials");
        Assert.Contains("Keys only", list.Text);
        Assert.Null(list.Document.QuerySelector("a[href$='/secrets/new']"));
        var form = await _manager.Client.GetAsync($"/manage-api-credentials/{_application}/secrets/new");
        var refused = await _manager.Client.SubmitAsync(form, new Dictionary<string, string> { ["Input.Name"] = "not allowed" });
        Assert.Contains("keys only", refused.Errors, StringComparison.Ordinal);
    }

    private Task<HtmlPage> AddAsync(string name, string key, string? expiresOn = null) => AddFormAsync(name, key, expiresOn);

    private async Task<HtmlPage> AddFormAsync(string name, string key, string? expiresOn)
    {
        var form = await _manager.Client.GetAsync($"/manage-api-credentials/{_application}/keys/new");
        var values = new Dictionary<string, string> { ["Input.Name"] = name, ["Input.Key"] = key };
        if (expiresOn is not null)
        {
            values["Input.ExpiresOn"] = expiresOn;
        }

        return await _manager.Client.SubmitAsync(form, values);
    }

    private async Task<Core.Keys.ClientKey> SingleKeyAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.ClientKeys.SingleAsync(k => k.ApplicationId == _application);
    }
}

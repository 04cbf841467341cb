using System.Net;
using System.Security.Cryptography;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Credentials;
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
    private CredentialsPages _credentials = null!;

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
        _credentials = new CredentialsPages(_manager.Client, _application);
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
        var added = await _credentials.AddKeyAsync("Key by Kim", PublicPem(ec));
        Assert.Contains("is added", added.Text);
        var key = await SingleKeyAsync();
        Assert.Contains(key.Hint, added.Text);
        Assert.Equal("EC P-256", key.KeyDescription);

        var list = await _credentials.ListAsync();
        var row = CredentialsPages.Rows(list, CredentialKind.Key).Single();
        Assert.Contains("Key by Kim", row.TextContent);
        Assert.Contains(key.Hint, row.TextContent);
        Assert.Contains("never used", row.TextContent);
        Assert.Contains("private_key_jwt", list.Text);

        using var http = _portal.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await RequestWithAssertionAsync(http, Assertion(_portal, _clientId, Signing(ec, key.Hint)))).StatusCode);

        // The only credential: the disable page warns and wants the second confirmation.
        var confirm = await _credentials.DisablePageAsync(key.Id, CredentialKind.Key);
        Assert.Contains("only active secret or key", confirm.Text);
        Assert.Contains("Tick the box", (await _credentials.ConfirmAsync(confirm)).Text);
        Assert.Null((await SingleKeyAsync()).DisabledAt);
        var disabled = await _credentials.ConfirmAsync(confirm, lastCredential: true);
        Assert.Contains("is disabled", disabled.Text);
        var refused = await RequestWithAssertionAsync(http, Assertion(_portal, _clientId, Signing(ec, key.Hint)));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("the key is disabled", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var enabled = await _credentials.EnableAsync(disabled, key.Id, CredentialKind.Key);
        Assert.Contains("is enabled again", enabled.Text);

        var deletePage = await _credentials.DeletePageAsync(key.Id, CredentialKind.Key);
        Assert.Contains(key.Hint, deletePage.Text);
        Assert.Contains("only active secret or key", deletePage.Text, StringComparison.Ordinal);
        var deleted = await _credentials.ConfirmAsync(deletePage, lastCredential: true);
        Assert.Contains("is deleted", deleted.Text);
        await using (var db = _portal.CreateDbContext())
        {
            Assert.False(await db.ClientKeys.AnyAsync());
        }

        var history = await _credentials.HistoryAsync();
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
        var added = await _credentials.UploadKeyAsync("Certificate key", certificate.RawData, "partner.cer");

        Assert.Contains("is added", added.Text, StringComparison.Ordinal);
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
        (string Text, DateOnly? ExpiresOn, string Message) refusal = kind switch
        {
            "private" => (rsa.ExportPkcs8PrivateKeyPem(), null, "Never share a private key"),
            "small" => (PublicPem(rsa), null, "has 1024 bits; at least 2048 are required"),
            "garbage" => ("hello", null, "not a public key we can read"),
            _ => (certificate.ExportCertificatePem(), DateOnly.FromDateTime(_portal.Time.GetUtcNow().UtcDateTime.AddDays(60)), "the key cannot be valid longer"),
        };

        var page = await _credentials.AddKeyAsync("Refused", refusal.Text, refusal.ExpiresOn);

        Assert.Contains(refusal.Message, page.Errors, StringComparison.Ordinal);
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

        var list = await _credentials.ListAsync();
        Assert.Contains("Keys only", list.Text);
        Assert.Null(_credentials.CreateSecretButton(list));
        var refused = await _credentials.SubmitNewSecretAsync("not allowed");
        Assert.Contains("keys only", refused.Errors, StringComparison.Ordinal);
    }

    private async Task<Core.Credentials.ClientKey> SingleKeyAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.ClientKeys.SingleAsync(k => k.ApplicationId == _application);
    }
}

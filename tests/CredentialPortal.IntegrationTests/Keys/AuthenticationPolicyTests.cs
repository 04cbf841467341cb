using System.Net;
using System.Security.Cryptography;
using CredentialPortal.Core.Applications;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Admin;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Keys;

/// <summary>
/// The per-application authentication policy, set by an administrator: "keys only" warns before saving, then stops the
/// secrets at once on this instance (the admin path ends in the same post-commit eviction as every credential change).
/// </summary>
public sealed class AuthenticationPolicyTests
{
    [Fact]
    public async Task Keys_only_is_saved_after_a_warning_and_stops_secrets_at_once_while_keys_keep_working()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, app);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = await AddKeyAsync(portal, app, PublicPem(ec));
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, app.ClientId, secret)).StatusCode);

        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var pages = new AdminPages(admin);
        var warned = await pages.SetAuthenticationPolicyAsync(app.Id, AllowedKinds.Keys);
        Assert.Contains("1 active client secret stops obtaining tokens at once", warned.Errors, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, app.ClientId, secret)).StatusCode);

        var saved = await pages.SetAuthenticationPolicyAsync(app.Id, AllowedKinds.Keys, warned);
        Assert.True(saved.Text.Contains("saved", StringComparison.Ordinal), saved.Errors);

        // No poll: the admin path evicted the client on this instance.
        var refused = await AssertErrorAsync(await RequestTokenAsync(http, app.ClientId, secret), HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Contains("Keys only", refused.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await RequestWithAssertionAsync(http, Assertion(portal, app.ClientId, Signing(ec, key.Hint)))).StatusCode);
    }
}

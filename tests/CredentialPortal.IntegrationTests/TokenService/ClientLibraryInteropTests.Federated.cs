using CredentialPortal.IntegrationTests.Federation;
using Microsoft.Identity.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.TokenService;

/// <summary>
/// Issue 32 items 5 and 6: MSAL.NET, with its defaults, presents a Kubernetes pod's projected service-account token as
/// its client assertion, exactly as docs/integrators.md shows it (<c>WithClientAssertion(() => File.ReadAllText(path))</c>),
/// and reads the file again for every token request, as the kubelet renews it.
/// </summary>
public sealed partial class ClientLibraryInteropTests
{
    private const string ServiceAccount = "system:serviceaccount:billing:exporter";

    private TestIssuer _cluster = null!;

    [Fact]
    public async Task MSAL_with_a_client_assertion_read_from_a_projected_token_file_gets_a_token_with_its_defaults()
    {
        var app = await CreateApplicationAsync(_portal);
        // The audience the docs tell the pod's volume to request: our issuer identifier.
        var identity = await _cluster.AddIdentityAsync(_portal, app, ServiceAccount, audience: _issuer);
        _portal.Time.SetUtcNow(DateTimeOffset.UtcNow);
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, _cluster.KubernetesToken(_portal.Time.GetUtcNow(), ServiceAccount, audience: _issuer),
                TestContext.Current.CancellationToken);

            // docs/integrators.md's example; only the HTTP client differs, to trust the test's certificate.
            var msal = ConfidentialClientApplicationBuilder.Create(app.ClientId)
                .WithOidcAuthority(_issuer)
                .WithClientAssertion(() => File.ReadAllText(path))
                .WithHttpClientFactory(new TrustingHttpClientFactory(TrustingClient()))
                .Build();
            var result = await msal.AcquireTokenForClient([Scope]).ExecuteAsync(TestContext.Current.CancellationToken);

            Assert.Equal(identity.Id, new JsonWebToken(result.AccessToken).GetPayloadValue<int>("credential_id"));

            // The file is read for each request: a broken file is refused, the renewed token works.
            await File.WriteAllTextAsync(path, "not a token", TestContext.Current.CancellationToken);
            var refused = await Assert.ThrowsAsync<MsalServiceException>(() =>
                msal.AcquireTokenForClient([Scope]).WithForceRefresh(true).ExecuteAsync(TestContext.Current.CancellationToken));
            Assert.Equal("invalid_client", refused.ErrorCode);

            await File.WriteAllTextAsync(path, _cluster.KubernetesToken(_portal.Time.GetUtcNow(), ServiceAccount, audience: _issuer),
                TestContext.Current.CancellationToken);
            var renewed = await msal.AcquireTokenForClient([Scope]).WithForceRefresh(true).ExecuteAsync(TestContext.Current.CancellationToken);
            Assert.NotEqual(result.AccessToken, renewed.AccessToken);
            Assert.Equal(identity.Id, new JsonWebToken(renewed.AccessToken).GetPayloadValue<int>("credential_id"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}

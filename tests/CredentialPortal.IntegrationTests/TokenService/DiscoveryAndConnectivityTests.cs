using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Signing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.TokenService;

public sealed class DiscoveryAndConnectivityTests
{
    [Theory]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/.well-known/oauth-authorization-server")]
    public async Task Discovery_publishes_the_RFC_8414_metadata(string path)
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();

        var metadata = JsonDocument.Parse(await http.GetStringAsync(path)).RootElement;

        Assert.Equal("http://localhost", metadata.GetProperty("issuer").GetString());
        Assert.Equal("http://localhost/connect/token", metadata.GetProperty("token_endpoint").GetString());
        Assert.Equal("http://localhost/.well-known/openid-configuration/jwks", metadata.GetProperty("jwks_uri").GetString());
        Assert.Equal(["client_credentials"], metadata.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["client_secret_basic", "client_secret_post", "private_key_jwt"],
            metadata.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("data-manager", metadata.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, metadata.GetProperty("response_types_supported").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(metadata.GetProperty("jwks_uri").GetString())).StatusCode);
    }

    [Fact]
    public async Task The_issuer_is_configurable_and_forwarded_headers_are_ignored_unless_the_host_honours_them()
    {
        await using (var configured = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["TokenService:Issuer"] = "https://credentials.example.org/",
        }))
        {
            using var http = configured.CreateClient();
            var metadata = JsonDocument.Parse(await http.GetStringAsync("/.well-known/openid-configuration")).RootElement;
            Assert.Equal("https://credentials.example.org", metadata.GetProperty("issuer").GetString());
            Assert.Equal("https://credentials.example.org/connect/token", metadata.GetProperty("token_endpoint").GetString());
        }

        await using var portal = await PortalFactory.StartAsync();
        using var client = portal.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/openid-configuration");
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await client.SendAsync(request);
        var issuer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("issuer").GetString();
        Assert.Equal("http://localhost", issuer);
    }

    [Fact]
    public async Task Connectivity_answers_who_the_caller_is_and_rejects_bad_tokens()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal, selfRotation: true);
        var (secret, secretId) = await AddSecretAsync(portal, app);
        var token = await GetTokenAsync(http, app.ClientId, secret, scope: "data-manager");

        async Task<HttpResponseMessage> CallAsync(string? bearer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/connectivity");
            if (bearer is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            return await http.SendAsync(request);
        }

        using (var ok = await CallAsync(token))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            var json = await JsonAsync(ok);
            Assert.Equal(app.ClientId, json.GetProperty("client_id").GetString());
            Assert.Equal(app.Name, json.GetProperty("application").GetString());
            Assert.Equal(["data-manager"], json.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(portal.Time.GetUtcNow().UtcDateTime.AddHours(1), json.GetProperty("expires_at").GetDateTime().ToUniversalTime());
        }

        using (var missing = await CallAsync(null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
            // Both schemes are offered (RFC 9449 §7.1): a bearer token, or a DPoP-bound one with its proof.
            Assert.Equal(["Bearer", "DPoP"], missing.Headers.WwwAuthenticate.Select(c => c.Scheme));
        }

        // Signed by our own key but not an access token (typ JWT), or for another issuer: both refused.
        var keys = await portal.Services.GetRequiredService<SigningKeyCache>().GetAsync(CancellationToken.None);
        var now = portal.Time.GetUtcNow().UtcDateTime;
        string Sign(string type, string issuer) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = "credential-portal-api",
            TokenType = type,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            Claims = new Dictionary<string, object> { ["client_id"] = app.ClientId, ["credential_id"] = secretId, ["scope"] = "data-manager" },
            SigningCredentials = keys.Signing,
        });
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(Sign("at+jwt", "http://localhost"))).StatusCode);

        // A forged signature: the same header and claims signed by a key of the attacker's with our kid.
        using var attackerKey = System.Security.Cryptography.RSA.Create(2048);
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "http://localhost",
            Audience = "credential-portal-api",
            TokenType = "at+jwt",
            Expires = now.AddHours(1),
            Claims = new Dictionary<string, object> { ["client_id"] = app.ClientId },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(attackerKey) { KeyId = keys.Signing.Key.KeyId }, "RS256"),
        });
        var parts = token.Split('.');
        var tampered = parts[0] + "." + parts[1][..^2] + (parts[1][^2..] == "fQ" ? "fX" : "fQ") + "." + parts[2];

        foreach (var bad in new[] { "garbage", Sign("JWT", "http://localhost"), Sign("at+jwt", "https://other.example"), forged, tampered })
        {
            using var refused = await CallAsync(bad);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            var challenge = Assert.Single(refused.Headers.WwwAuthenticate);
            Assert.Equal("Bearer", challenge.Scheme);
            Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        }

        portal.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        using var expired = await CallAsync(token);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("invalid_token", expired.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }
}

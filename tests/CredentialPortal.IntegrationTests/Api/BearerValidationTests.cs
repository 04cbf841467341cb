using System.Net;
using System.Security.Cryptography;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Signing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Api;

/// <summary>What the bearer scheme pins: each token differs from an accepted one in exactly one respect.</summary>
public sealed class BearerValidationTests
{
    private const string Issuer = "http://localhost";
    private const string Audience = "http://localhost/api/v1";

    [Fact]
    public async Task Only_our_access_tokens_for_us_within_their_lifetime_get_through()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (self, _, secretId) = await CallerAsync(portal);
        var keys = await portal.Services.GetRequiredService<SigningKeyCache>().GetAsync(CancellationToken.None);
        var now = portal.Time.GetUtcNow().UtcDateTime;

        string Token(Action<SecurityTokenDescriptor>? change = null)
        {
            var descriptor = new SecurityTokenDescriptor
            {
                Issuer = Issuer,
                Audience = Audience,
                TokenType = "at+jwt",
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddHours(1),
                Claims = new Dictionary<string, object> { ["client_id"] = self.ClientId, ["credential_id"] = secretId, ["scope"] = "credentials.self" },
                SigningCredentials = keys.Signing,
            };
            change?.Invoke(descriptor);
            return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
        }

        // The control: the same construction, unchanged, is accepted.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/api/v1/applications", Token())).StatusCode);

        using var attackerRsa = RSA.Create(2048);
        var refused = new Dictionary<string, string>
        {
            ["typ JWT instead of at+jwt"] = Token(d => d.TokenType = "JWT"),
            ["another issuer"] = Token(d => d.Issuer = "https://other.example"),
            ["another audience"] = Token(d => d.Audience = "https://other.example"),
            ["expired"] = Token(d => (d.NotBefore, d.Expires) = (now.AddHours(-2), now.AddMinutes(-1))),
            ["not yet valid"] = Token(d => d.NotBefore = now.AddMinutes(5)),
            ["no expiry"] = Token(d => d.Expires = null),
            ["alg none"] = Token(d => d.SigningCredentials = null),
            ["HS256 under our kid"] = Token(d => d.SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = keys.Signing.Key.KeyId }, SecurityAlgorithms.HmacSha256)),
            ["a key not in our store"] = Token(d => d.SigningCredentials = new SigningCredentials(
                new RsaSecurityKey(attackerRsa) { KeyId = "not-ours" }, SecurityAlgorithms.RsaSha256)),
            ["a key not in our store, under our kid"] = Token(d => d.SigningCredentials = new SigningCredentials(
                new RsaSecurityKey(attackerRsa) { KeyId = keys.Signing.Key.KeyId }, SecurityAlgorithms.RsaSha256)),
            ["no client_id"] = Token(d => d.Claims.Remove("client_id")),
            ["no credential_id"] = Token(d => d.Claims.Remove("credential_id")),
            ["a credential of no secret of this client"] = Token(d => d.Claims["credential_id"] = secretId + 1000),
        };
        foreach (var (because, token) in refused)
        {
            using var response = await GetAsync(http, "/api/v1/applications", token);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{because}: {response.StatusCode}");
            Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "invalid, expired");
        }

        // Lifetime runs on the injected clock: the control token expires when the fake clock passes exp (+30 s skew).
        var control = Token();
        portal.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/api/v1/applications", control)).StatusCode);
        portal.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "/api/v1/applications", control)).StatusCode);
    }

    [Theory]
    [InlineData("automation client withdrawn")]
    [InlineData("application deactivated")]
    public async Task A_flag_turned_off_between_two_calls_refuses_the_second(string change)
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (admin, secret, _) = await CallerAsync(portal, selfRotation: false, admin: true);
        var token = await GetTokenAsync(http, admin.ClientId, secret, scope: "credentials.admin");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/api/v1/applications", token)).StatusCode);

        await ChangeAsync(portal, admin.Id, async db =>
        {
            var application = await db.Applications.SingleAsync(a => a.Id == admin.Id);
            if (change == "application deactivated")
            {
                application.IsActive = false;
            }
            else
            {
                application.IsAdminAutomationClient = false;
            }
        });
        await AssertProblemAsync(await GetAsync(http, "/api/v1/applications", token), HttpStatusCode.Forbidden,
            change == "application deactivated" ? "inactive" : "no longer allows");
    }
}

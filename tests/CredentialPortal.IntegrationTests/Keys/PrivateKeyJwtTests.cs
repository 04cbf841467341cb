using System.Net;
using System.Security.Cryptography;
using System.Text;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using CredentialPortal.IntegrationTests.TokenService;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.ClientAuthentication;
using CredentialPortal.TokenService.Throttling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.Keys;

/// <summary>Every rule of RFC 7523 client authentication at the token endpoint (issue 16 item 3).</summary>
public sealed class PrivateKeyJwtTests : IAsyncLifetime
{
    private PortalFactory _portal = null!;
    private HttpClient _http = null!;
    private TestApplication _app = null!;
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly RSA _rsa = RSA.Create(2048);
    private ClientKey _ecKey = null!;
    private ClientKey _rsaKey = null!;

    public async ValueTask InitializeAsync()
    {
        _portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            // These tests fail on purpose, many times: the throttle has its own tests.
            ["TokenService:FailedAuthentication:MaxFailures"] = "0",
            ["TokenService:FailedAuthentication:MaxFailuresPerAddress"] = "0",
            ["TokenService:RateLimit:PermitsPerSecond"] = "0",
        });
        _http = _portal.CreateClient();
        _app = await CreateApplicationAsync(_portal);
        _ecKey = await AddKeyAsync(_portal, _app, PublicPem(_ec), name: "EC key");
        _rsaKey = await AddKeyAsync(_portal, _app, PublicPem(_rsa), name: "RSA key");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _ec.Dispose();
        _rsa.Dispose();
        await _portal.DisposeAsync();
    }

    [Theory]
    [InlineData(SecurityAlgorithms.EcdsaSha256, true)]
    [InlineData(SecurityAlgorithms.RsaSha256, false)]
    [InlineData(SecurityAlgorithms.RsaSsaPssSha256, false)]
    public async Task A_signed_assertion_gets_a_token_naming_the_key_as_credential(string algorithm, bool ec)
    {
        var signing = ec ? Signing(_ec, _ecKey.Hint, algorithm) : Signing(_rsa, _rsaKey.Hint, algorithm);
        using var response = await RequestWithAssertionAsync(_http, Assertion(_portal, _app.ClientId, signing), clientId: _app.ClientId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = new JsonWebToken((await JsonAsync(response)).GetProperty("access_token").GetString()!);
        Assert.Equal(_app.ClientId, token.Subject);
        Assert.Equal(ec ? _ecKey.Id : _rsaKey.Id, token.GetPayloadValue<int>("credential_id"));
        Assert.True((await ValidateAgainstJwksAsync(_http, token.EncodedToken)).IsValid);
    }

    [Fact]
    public async Task Without_kid_the_active_keys_are_tried_and_the_issuer_is_an_accepted_audience()
    {
        using var response = await RequestWithAssertionAsync(_http, Assertion(_portal, _app.ClientId, Signing(_rsa, kid: null), audience: "http://localhost"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Discovery_advertises_private_key_jwt_and_the_signing_algorithms()
    {
        var metadata = await JsonAsync(await _http.GetAsync("/.well-known/openid-configuration"));
        Assert.Contains("private_key_jwt", metadata.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["RS256", "PS256", "ES256", "ES384"],
            metadata.GetProperty("token_endpoint_auth_signing_alg_values_supported").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_wrong_audience_is_refused_naming_the_expected_one()
    {
        var json = await RefusedAsync(Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), audience: "https://elsewhere.example/token"));
        Assert.Contains("aud must be one string: http://localhost or http://localhost/connect/token", Description(json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_assertion_is_refused()
    {
        var json = await RefusedAsync(Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), expiresIn: TimeSpan.FromMinutes(-2), issuedAgo: TimeSpan.FromMinutes(4)));
        Assert.Contains("expired", Description(json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_assertion_living_an_hour_as_authlib_signs_them_is_accepted_and_a_longer_one_refused()
    {
        using var hour = await RequestWithAssertionAsync(_http, Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), expiresIn: TimeSpan.FromHours(1)));
        Assert.Equal(HttpStatusCode.OK, hour.StatusCode);

        var json = await RefusedAsync(Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), expiresIn: TimeSpan.FromMinutes(61)));
        Assert.Contains("at most 3600 seconds ahead", Description(json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_audience_list_that_merely_contains_ours_is_refused()
    {
        var listed = new Dictionary<string, object> { ["aud"] = new[] { "http://localhost", "https://elsewhere.example" } };
        var json = await RefusedAsync(Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), extraClaims: listed));
        Assert.Contains("aud must be one string: http://localhost or http://localhost/connect/token", Description(json), StringComparison.Ordinal);

        var alone = new Dictionary<string, object> { ["aud"] = new[] { "http://localhost" } };
        Assert.Contains("aud must be one string", Description(await RefusedAsync(Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), extraClaims: alone))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replay_is_refused_until_exp_and_as_expired_once_a_pruner_pass_has_removed_its_row()
    {
        var assertion = Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), expiresIn: TimeSpan.FromSeconds(150));
        using (var first = await RequestWithAssertionAsync(_http, assertion))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // A pruner pass before exp keeps the row (each pass moves the clock on by a minute: now 89 s of 150).
        _portal.Time.Advance(TimeSpan.FromSeconds(29));
        await _portal.RunNextPassAsync<AssertionReplayPruner>();
        Assert.Contains("used before", Description(await RefusedAsync(assertion)), StringComparison.Ordinal);

        // 160 s: past exp, within exp + clock skew. A pass may have pruned the row by now (rows used to be kept only
        // until exp, while the assertion was accepted until exp + skew): the replay must still be refused.
        _portal.Time.Advance(TimeSpan.FromSeconds(11));
        await _portal.RunNextPassAsync<AssertionReplayPruner>();
        Assert.Contains("has expired", Description(await RefusedAsync(assertion)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_kid_only_the_newest_active_keys_are_tried()
    {
        var app = await CreateApplicationAsync(_portal);
        using var oldest = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var oldestKey = await AddKeyAsync(_portal, app, PublicPem(oldest), name: "oldest");
        var newer = new List<ECDsa>();
        for (var i = 0; i < ClientAssertionValidator.MaxKeysTriedWithoutKid; i++)
        {
            newer.Add(ECDsa.Create(ECCurve.NamedCurves.nistP256));
            await AddKeyAsync(_portal, app, PublicPem(newer[^1]), name: $"newer {i}");
        }

        try
        {
            // Beyond the cap without kid: not tried, so the generic answer; named by kid it works.
            Assert.Equal("client authentication failed", Description(await RefusedAsync(Assertion(_portal, app.ClientId, Signing(oldest, kid: null)))));
            using (var named = await RequestWithAssertionAsync(_http, Assertion(_portal, app.ClientId, Signing(oldest, oldestKey.Hint))))
            {
                Assert.Equal(HttpStatusCode.OK, named.StatusCode);
            }

            // A disabled key is not tried without kid either.
            await using (var scope = _portal.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
                var application = await db.Applications.SingleAsync(a => a.Id == app.Id);
                var newest = await db.ClientKeys.Where(k => k.ApplicationId == app.Id).OrderByDescending(k => k.Id).FirstAsync();
                await scope.ServiceProvider.GetRequiredService<CredentialLifecycle>().DisableAsync(application, newest, new AuditActor("tests"), confirmedLastCredential: false);
            }

            Assert.Equal("client authentication failed", Description(await RefusedAsync(Assertion(_portal, app.ClientId, Signing(newer[^1], kid: null)))));
            using var active = await RequestWithAssertionAsync(_http, Assertion(_portal, app.ClientId, Signing(newer[0], kid: null)));
            Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        }
        finally
        {
            newer.ForEach(k => k.Dispose());
        }
    }

    [Fact]
    public async Task A_blocked_client_id_gets_no_signature_check()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["TokenService:FailedAuthentication:MaxFailures"] = "3",
            ["TokenService:FailedAuthentication:MaxFailuresPerAddress"] = "0",
        });
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = await AddKeyAsync(portal, app, PublicPem(ec));
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await RequestWithAssertionAsync(http, Assertion(portal, app.ClientId, Signing(stranger, key.Hint)));
        }

        // Even the right key is not checked while the client_id is blocked.
        using var blocked = await RequestWithAssertionAsync(http, Assertion(portal, app.ClientId, Signing(ec, key.Hint)));
        await AssertErrorAsync(blocked, HttpStatusCode.TooManyRequests, "slow_down");
        await portal.Services.GetRequiredService<AuthenticationFailureAudit>().FlushAsync(CancellationToken.None);
        await using var db = portal.CreateDbContext();
        var reasons = await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.TokenAuthenticationFailed).Select(e => e.Details!).ToListAsync();
        Assert.Contains(reasons, d => d.Contains("reason=blocked_client", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_future_iat_beyond_the_skew_is_refused_within_the_skew_accepted()
    {
        var json = await RefusedAsync(Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), issuedAgo: TimeSpan.FromMinutes(-1)));
        Assert.Contains("iat", Description(json), StringComparison.Ordinal);

        using var withinSkew = await RequestWithAssertionAsync(_http,
            Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), issuedAgo: TimeSpan.FromSeconds(-20)));
        Assert.Equal(HttpStatusCode.OK, withinSkew.StatusCode);
    }

    [Fact]
    public async Task A_missing_jti_is_refused()
    {
        var json = await RefusedAsync(Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), jti: null));
        Assert.Contains("jti", Description(json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replayed_assertion_is_refused_and_a_refused_one_does_not_use_up_its_jti()
    {
        var assertion = Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint));
        using (var first = await RequestWithAssertionAsync(_http, assertion))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        Assert.Contains("used before", Description(await RefusedAsync(assertion)), StringComparison.Ordinal);

        // A jti refused for another reason (here: wrong audience) stays available.
        var jti = Guid.NewGuid().ToString();
        await RefusedAsync(Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), audience: "https://elsewhere.example", jti: jti));
        using var retried = await RequestWithAssertionAsync(_http, Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), jti: jti));
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    [Fact]
    public async Task Expired_replay_rows_are_pruned()
    {
        using (var response = await RequestWithAssertionAsync(_http, Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint))))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using var db = _portal.CreateDbContext();
        Assert.NotEqual(0, await db.ClientAssertionUses.CountAsync());
        _portal.Time.Advance(TimeSpan.FromMinutes(3));
        await _portal.RunNextPassAsync<AssertionReplayPruner>();
        Assert.Equal(0, await db.ClientAssertionUses.CountAsync());
    }

    [Fact]
    public async Task An_unknown_kid_and_a_foreign_key_get_the_generic_answer_and_are_audited_precisely()
    {
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal("client authentication failed", Description(await RefusedAsync(Assertion(_portal, _app.ClientId, Signing(_ec, "no-such-kid")))));
        Assert.Equal("client authentication failed", Description(await RefusedAsync(Assertion(_portal, _app.ClientId, Signing(stranger, _ecKey.Hint)))));

        await _portal.Services.GetRequiredService<AuthenticationFailureAudit>().FlushAsync(CancellationToken.None);
        await using var db = _portal.CreateDbContext();
        var details = await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.TokenAuthenticationFailed).Select(e => e.Details!).ToListAsync();
        Assert.Contains(details, d => d.Contains("reason=unknown_key", StringComparison.Ordinal));
        Assert.Contains(details, d => d.Contains("reason=wrong_signature", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_disabled_and_a_deleted_key_stop_working_at_once()
    {
        await using (var scope = _portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
            var lifecycle = scope.ServiceProvider.GetRequiredService<CredentialLifecycle>();
            var application = await db.Applications.SingleAsync(a => a.Id == _app.Id);
            var key = await db.ClientKeys.SingleAsync(k => k.Id == _ecKey.Id);
            Assert.Equal(CredentialChangeOutcome.Changed, await lifecycle.DisableAsync(application, key, new AuditActor("tests"), confirmedLastCredential: false));
        }

        Assert.Equal("the key is disabled", Description(await RefusedAsync(Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint)))));

        await using (var scope = _portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
            var lifecycle = scope.ServiceProvider.GetRequiredService<CredentialLifecycle>();
            var application = await db.Applications.SingleAsync(a => a.Id == _app.Id);
            var key = await db.ClientKeys.SingleAsync(k => k.Id == _ecKey.Id);
            await lifecycle.DeleteAsync(application, key, new AuditActor("tests"), confirmedLastCredential: false);
        }

        Assert.Equal("client authentication failed", Description(await RefusedAsync(Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint)))));
    }

    [Fact]
    public async Task Alg_none_is_refused()
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode($$"""{"iss":"{{_app.ClientId}}","sub":"{{_app.ClientId}}","aud":"{{TokenEndpoint}}","jti":"x","iat":{{_portal.Time.GetUtcNow().ToUnixTimeSeconds()}},"exp":{{_portal.Time.GetUtcNow().AddMinutes(2).ToUnixTimeSeconds()}}}""");
        var json = await RefusedAsync($"{header}.{payload}.");
        Assert.Contains("must be signed with one of RS256, PS256, ES256, ES384", Description(json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HS256_with_the_public_key_as_the_HMAC_secret_is_refused()
    {
        // The classic key-confusion attack: the public key is public, so an HMAC "signed" with it proves nothing.
        var hmacKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(_ecKey.PublicJwk)) { KeyId = _ecKey.Hint };
        var json = await RefusedAsync(Assertion(_portal, _app.ClientId, new SigningCredentials(hmacKey, SecurityAlgorithms.HmacSha256)));
        Assert.Contains("not HS256", Description(json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_assertion_is_refused_without_being_parsed()
    {
        var padding = new Dictionary<string, object> { ["padding"] = new string('x', 9000) };
        var json = await RefusedAsync(Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), extraClaims: padding));
        Assert.Contains("longer than 8192 characters", Description(json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_requests_get_clear_answers_never_500()
    {
        Assert.Contains("client_assertion_type must be", Description(await RefusedAsync("abc", assertionType: "urn:other")), StringComparison.Ordinal);
        Assert.Contains("not a signed JWT", Description(await RefusedAsync("not-a-jwt")), StringComparison.Ordinal);
        Assert.Contains("iss must be the client_id", Description(await RefusedAsync(
            Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint), issuer: "someone-else"))), StringComparison.Ordinal);

        using var mismatch = await RequestWithAssertionAsync(_http, Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint)), clientId: Guid.NewGuid().ToString());
        await AssertErrorAsync(mismatch, HttpStatusCode.BadRequest, "invalid_request");

        // A secret and an assertion at once: one method per request.
        using var both = await _http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = _app.ClientId,
            ["client_secret"] = "x",
            ["client_assertion_type"] = AssertionType,
            ["client_assertion"] = Assertion(_portal, _app.ClientId, Signing(_ec, _ecKey.Hint)),
        }));
        await AssertErrorAsync(both, HttpStatusCode.BadRequest, "invalid_request");
    }

    private async Task<System.Text.Json.JsonElement> RefusedAsync(string assertion, string assertionType = AssertionType)
    {
        using var response = await RequestWithAssertionAsync(_http, assertion, assertionType: assertionType);
        return await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    private static string Description(System.Text.Json.JsonElement json) => json.GetProperty("error_description").GetString()!;
}

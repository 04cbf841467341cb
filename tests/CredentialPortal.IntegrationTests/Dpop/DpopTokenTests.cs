using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CredentialPortal.Testing;
using CredentialPortal.IntegrationTests.TokenService;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Dpop;

/// <summary>
/// Issue 33 with our own DPoP client (<see cref="DpopKey"/>): a token request with a proof gets a DPoP-bound token
/// (<c>cnf.jkt</c>), which <c>/connectivity</c> accepts only as <c>Authorization: DPoP</c> with a fresh proof of that key
/// for that request; every broken proof is refused with <c>invalid_dpop_proof</c>. On the fake clock throughout.
/// </summary>
public sealed class DpopTokenTests : IAsyncLifetime
{
    private const string TokenUrl = "http://localhost/connect/token";
    private const string ConnectivityUrl = "http://localhost/connectivity";

    private PortalFactory _portal = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        // Refused proofs come with a valid secret, but the failure throttle must never be what answers.
        _portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["TokenService:FailedAuthentication:MaxFailures"] = "0" });
        _http = _portal.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _portal.DisposeAsync();
    }

    private DateTimeOffset Now => _portal.Time.GetUtcNow();

    [Theory]
    [InlineData(SecurityAlgorithms.EcdsaSha256)]
    [InlineData(SecurityAlgorithms.RsaSha256)]
    [InlineData(SecurityAlgorithms.RsaSsaPssSha256)]
    public async Task A_proof_gets_a_token_bound_to_its_key_which_works_only_with_a_fresh_proof_of_that_key(string algorithm)
    {
        var (app, secret) = await ClientAsync();
        using var key = DpopKey.Create(algorithm);

        using var response = await RequestTokenAsync(_http, app.ClientId, secret, dpopProof: key.Proof("POST", TokenUrl, Now));
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal("DPoP", body.GetProperty("token_type").GetString());
        var token = body.GetProperty("access_token").GetString()!;
        Assert.Equal(key.Thumbprint, Payload(token).GetProperty("cnf").GetProperty("jkt").GetString());

        var proof = key.Proof("GET", ConnectivityUrl, Now, token);
        using (var accepted = await _http.SendAsync(key.ResourceRequest(HttpMethod.Get, ConnectivityUrl, token, Now, proof)))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        // The same proof again: its jti was used.
        await AssertRefusedAsync(key.ResourceRequest(HttpMethod.Get, ConnectivityUrl, token, Now, proof), "invalid_dpop_proof");
        // The copied token without its key: as Bearer, as DPoP without a proof, with another key's proof.
        using var bearer = new HttpRequestMessage(HttpMethod.Get, ConnectivityUrl) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        await AssertRefusedAsync(bearer, "invalid_token");
        await AssertRefusedAsync(key.ResourceRequest(HttpMethod.Get, ConnectivityUrl, token, Now, proof: ""), "invalid_dpop_proof");
        using var thief = DpopKey.Create();
        await AssertRefusedAsync(thief.ResourceRequest(HttpMethod.Get, ConnectivityUrl, token, Now), "invalid_dpop_proof");
        // A proof of the right key, but for another token, URL or method.
        await AssertRefusedAsync(key.ResourceRequest(HttpMethod.Get, ConnectivityUrl, token, Now, key.Proof("GET", ConnectivityUrl, Now, token + "x")), "invalid_dpop_proof");
        await AssertRefusedAsync(key.ResourceRequest(HttpMethod.Get, ConnectivityUrl, token, Now, key.Proof("GET", "http://localhost/api/v1/applications", Now, token)), "invalid_dpop_proof");
        await AssertRefusedAsync(key.ResourceRequest(HttpMethod.Get, ConnectivityUrl, token, Now, key.Proof("POST", ConnectivityUrl, Now, token)), "invalid_dpop_proof");
        // Query and fragment play no part in htu (RFC 9449 §4.3).
        using var withQuery = await _http.SendAsync(key.ResourceRequest(HttpMethod.Get, ConnectivityUrl + "?probe=1", token, Now, key.Proof("GET", ConnectivityUrl, Now, token)));
        Assert.Equal(HttpStatusCode.OK, withQuery.StatusCode);
    }

    [Fact]
    public async Task Without_a_proof_the_token_is_a_bearer_token_and_is_refused_as_DPoP()
    {
        var (app, secret) = await ClientAsync();
        using var response = await RequestTokenAsync(_http, app.ClientId, secret);
        var body = await JsonAsync(response);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        var token = body.GetProperty("access_token").GetString()!;
        Assert.False(Payload(token).TryGetProperty("cnf", out _));

        using var key = DpopKey.Create();
        await AssertRefusedAsync(key.ResourceRequest(HttpMethod.Get, ConnectivityUrl, token, Now), "invalid_token");
        using var bearer = new HttpRequestMessage(HttpMethod.Get, ConnectivityUrl) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(bearer)).StatusCode);

        // No token at all: both schemes are offered, DPoP with its algorithms.
        using var anonymous = await _http.GetAsync(ConnectivityUrl);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains(anonymous.Headers.WwwAuthenticate, c => c.Scheme == "Bearer");
        Assert.Contains(anonymous.Headers.WwwAuthenticate, c => c.Scheme == "DPoP" && c.Parameter!.Contains("ES256", StringComparison.Ordinal));
    }

    public static TheoryData<string> BrokenProofs() =>
    [
        "replayed", "another URL", "another method", "alg none", "HMAC", "typ JWT", "private key in jwk", "no jwk",
        "another key's jwk", "incomplete jwk", "iat too old", "iat in the future", "no jti", "two headers", "not a JWT", "nonce not ours",
    ];

    [Theory]
    [MemberData(nameof(BrokenProofs))]
    public async Task The_token_endpoint_refuses_a_broken_proof_with_invalid_dpop_proof(string broken)
    {
        var (app, secret) = await ClientAsync();
        using var key = DpopKey.Create();
        using var other = DpopKey.Create();
        var now = Now;
        string[] proofs = broken switch
        {
            "replayed" => [await UsedProofAsync(app.ClientId, secret, key)],
            "another URL" => [key.Proof("POST", "http://localhost/connect/introspect", now)],
            "another method" => [key.Proof("GET", TokenUrl, now)],
            "alg none" => [key.UnsignedProof("POST", TokenUrl, now)],
            "HMAC" => [key.HmacProof("POST", TokenUrl, now)],
            "typ JWT" => [key.Proof("POST", TokenUrl, now, tamperHeader: h => h["typ"] = "JWT")],
            "private key in jwk" => [key.Proof("POST", TokenUrl, now, tamperHeader: h => h["jwk"] = new Dictionary<string, object>(key.PublicJwk) { ["d"] = "AAAA" })],
            "no jwk" => [key.Proof("POST", TokenUrl, now, tamperHeader: h => h.Remove("jwk"))],
            "another key's jwk" => [key.Proof("POST", TokenUrl, now, tamperHeader: h => h["jwk"] = other.PublicJwk)],
            "incomplete jwk" => [key.Proof("POST", TokenUrl, now, tamperHeader: h => h["jwk"] = new Dictionary<string, object> { ["kty"] = "EC", ["crv"] = "P-256" })],
            "iat too old" => [key.Proof("POST", TokenUrl, now.AddSeconds(-61))],
            "iat in the future" => [key.Proof("POST", TokenUrl, now.AddSeconds(31))],
            "no jti" => [key.Proof("POST", TokenUrl, now, tamperPayload: p => p.Remove("jti"))],
            "two headers" => [key.Proof("POST", TokenUrl, now), key.Proof("POST", TokenUrl, now)],
            "not a JWT" => ["not-a-jwt"],
            "nonce not ours" => [key.Proof("POST", TokenUrl, now, nonce: "bm90LW91cnM")],
            _ => throw new ArgumentOutOfRangeException(nameof(broken)),
        };

        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
            Headers = { Authorization = Basic(app.ClientId, secret) },
        };
        request.Headers.Add("DPoP", proofs);
        using var response = await _http.SendAsync(request);

        // A nonce we never issued is answered like a stale one: with a fresh nonce to retry with.
        var expected = broken == "nonce not ours" ? "use_dpop_nonce" : "invalid_dpop_proof";
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, expected);
        Assert.Equal(broken == "nonce not ours", response.Headers.Contains("DPoP-Nonce"));
    }

    [Fact]
    public async Task Introspection_says_DPoP_and_gives_the_key_thumbprint_of_a_bound_token()
    {
        var (app, secret) = await ClientAsync();
        var (resourceServer, rsSecret) = await ClientAsync();
        await ChangeAsync(_portal, resourceServer.Id, async db => (await db.Applications.SingleAsync(a => a.Id == resourceServer.Id)).IsResourceServer = true);
        using var key = DpopKey.Create();
        using var response = await RequestTokenAsync(_http, app.ClientId, secret, dpopProof: key.Proof("POST", TokenUrl, Now));
        var token = (await JsonAsync(response)).GetProperty("access_token").GetString()!;

        using var introspection = await _http.PostAsync("/connect/introspect", new FormUrlEncodedContent(
            [new("token", token), new("client_id", resourceServer.ClientId), new("client_secret", rsSecret)]));
        var answer = await JsonAsync(introspection);
        Assert.True(answer.GetProperty("active").GetBoolean(), answer.ToString());
        Assert.Equal("DPoP", answer.GetProperty("token_type").GetString());
        Assert.Equal(key.Thumbprint, answer.GetProperty("cnf").GetProperty("jkt").GetString());
    }

    [Fact]
    public async Task Discovery_advertises_the_proof_algorithms_with_ES256_PS256_and_RS256()
    {
        var metadata = JsonDocument.Parse(await _http.GetStringAsync("/.well-known/oauth-authorization-server")).RootElement;
        var algorithms = metadata.GetProperty("dpop_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.Contains("ES256", algorithms);
        Assert.Contains("PS256", algorithms);
        Assert.Contains("RS256", algorithms);
        Assert.DoesNotContain(algorithms, a => a!.StartsWith("HS", StringComparison.Ordinal) || a == "none");
    }

    public static JsonElement Payload(string token) =>
        JsonDocument.Parse(Base64UrlEncoder.Decode(new JsonWebToken(token).EncodedPayload)).RootElement.Clone();

    private async Task<(TestApplication App, string Secret)> ClientAsync()
    {
        var app = await CreateApplicationAsync(_portal);
        return (app, (await AddSecretAsync(_portal, app)).Value);
    }

    /// <summary>A proof that already obtained a token.</summary>
    private async Task<string> UsedProofAsync(string clientId, string secret, DpopKey key)
    {
        var proof = key.Proof("POST", TokenUrl, Now);
        using var first = await RequestTokenAsync(_http, clientId, secret, dpopProof: proof);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        return proof;
    }

    /// <summary>401 with a DPoP challenge naming <paramref name="error"/>, and problem details.</summary>
    private async Task AssertRefusedAsync(HttpRequestMessage request, string error)
    {
        using (request)
        {
            using var response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var challenge = Assert.Single(response.Headers.WwwAuthenticate);
            Assert.Equal("DPoP", challenge.Scheme);
            Assert.Contains($"error=\"{error}\"", challenge.Parameter, StringComparison.Ordinal);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}

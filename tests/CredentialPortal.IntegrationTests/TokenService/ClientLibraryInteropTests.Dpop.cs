using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using CredentialPortal.IntegrationTests.Dpop;
using CredentialPortal.Testing;
using Microsoft.IdentityModel.Tokens;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.TokenService;

/// <summary>
/// Issue 33 with independent clients: openid-client and oauth4webapi, with their defaults (a generated ES256 key, a new
/// proof per request), get DPoP-bound tokens with every client authentication method, answer the nonce challenge this
/// portal makes (<c>TokenService:Dpop:RequireNonce</c>) and call <c>/connectivity</c> or <c>/api/v1</c> with them. The
/// same token without the key is refused there.
/// </summary>
public sealed partial class ClientLibraryInteropTests
{
    public static TheoryData<string, string, string?, string> DpopCases() => new()
    {
        { "openid-client", "client_secret_basic", null, "/api/v1/applications" },
        { "openid-client", "private_key_jwt", SecurityAlgorithms.EcdsaSha256, "/connectivity" },
        { "oauth4webapi", "client_secret_basic", null, "/api/v1/applications" },
        { "oauth4webapi", "client_secret_post", null, "/connectivity" },
        { "oauth4webapi", "private_key_jwt", SecurityAlgorithms.RsaSha256, "/connectivity" },
    };

    [Theory]
    [MemberData(nameof(DpopCases))]
    public async Task Node_libraries_get_DPoP_bound_tokens_with_their_defaults_and_call_our_resources_which_refuse_them_without_the_key(
        string library, string authentication, string? algorithm, string resource)
    {
        var app = await CreateApplicationAsync(_portal, selfRotation: true);
        var management = resource.StartsWith("/api/v1", StringComparison.Ordinal);
        var environment = new Dictionary<string, string>
        {
            ["LIBRARY"] = library, ["AUTH"] = authentication, ["RESOURCE"] = resource, ["SCOPE"] = management ? "credentials.self" : Scope,
        };
        if (algorithm is null)
        {
            environment["CLIENT_SECRET"] = (await AddSecretAsync(_portal, app)).Value;
        }
        else
        {
            using var key = algorithm.StartsWith("ES", StringComparison.Ordinal) ? (AsymmetricAlgorithm)ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
            var added = await AddKeyAsync(_portal, app, PublicPem(key));
            environment["PRIVATE_KEY_JWK"] = PrivateJwk(key, algorithm, added.Hint);
        }

        var result = await RunAsync("dpop.mjs", app.ClientId, environment);

        Assert.Equal("dpop", result.GetProperty("token_type").GetString(), ignoreCase: true);
        Assert.Equal(200, result.GetProperty("status").GetInt32());
        var token = result.GetProperty("access_token").GetString()!;
        Assert.Equal(result.GetProperty("jkt").GetString(), DpopTokenTests.Payload(token).GetProperty("cnf").GetProperty("jkt").GetString());
        Assert.Equal(app.ClientId, management
            ? result.GetProperty("body").GetProperty("applications")[0].GetProperty("clientId").GetString()
            : result.GetProperty("body").GetProperty("client_id").GetString());

        // A copy of the token without the library's private key: as Bearer, as DPoP without a proof, with our own key's proof.
        _portal.Time.SetUtcNow(DateTimeOffset.UtcNow);
        using var http = TrustingClient();
        using var thief = DpopKey.Create();
        var url = _issuer + resource;
        var now = _portal.Time.GetUtcNow();
        using HttpRequestMessage bearer = new(HttpMethod.Get, url) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        await AssertRefusedAsync(http, bearer, "invalid_token");
        await AssertRefusedAsync(http, thief.ResourceRequest(HttpMethod.Get, url, token, now, proof: ""), "invalid_dpop_proof");
        // The thief's key is asked for a nonce like anyone's; with it, the proof is refused for being by another key.
        var nonce = await AssertRefusedAsync(http, thief.ResourceRequest(HttpMethod.Get, url, token, now), "use_dpop_nonce");
        await AssertRefusedAsync(http, thief.ResourceRequest(HttpMethod.Get, url, token, now, nonce: nonce), "invalid_dpop_proof");
    }

    /// <summary>401 with one DPoP challenge naming <paramref name="error"/>; returns the DPoP-Nonce sent, if any.</summary>
    private static async Task<string?> AssertRefusedAsync(HttpClient http, HttpRequestMessage request, string error)
    {
        using (request)
        {
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var challenge = Assert.Single(response.Headers.WwwAuthenticate);
            Assert.Equal("DPoP", challenge.Scheme);
            Assert.Contains($"error=\"{error}\"", challenge.Parameter, StringComparison.Ordinal);
            return response.Headers.TryGetValues("DPoP-Nonce", out var nonces) ? nonces.Single() : null;
        }
    }
}

using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.Testing;

/// <summary>
/// Our own DPoP client (RFC 9449): a key pair that signs a proof per request with Microsoft.IdentityModel, the public
/// key in the header. The <c>tamper</c> hooks make the broken proofs the tests expect to be refused.
/// </summary>
public sealed class DpopKey : IDisposable
{
    private readonly AsymmetricAlgorithm _key;
    private readonly SecurityKey _signingKey;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    private DpopKey(AsymmetricAlgorithm key, string algorithm)
    {
        _key = key;
        Algorithm = algorithm;
        _signingKey = key is ECDsa ec ? new ECDsaSecurityKey(ec) : new RsaSecurityKey((RSA)key);
        var jwk = JsonWebKeyConverter.ConvertFromSecurityKey(_signingKey);
        PublicJwk = key is ECDsa
            ? new Dictionary<string, object> { ["kty"] = "EC", ["crv"] = jwk.Crv, ["x"] = jwk.X, ["y"] = jwk.Y }
            : new Dictionary<string, object> { ["kty"] = "RSA", ["n"] = jwk.N, ["e"] = jwk.E };
        Thumbprint = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
    }

    /// <summary>ES256 with P-256 (what oauth4webapi and openid-client generate), or RS256 / PS256 with RSA-2048.</summary>
    public static DpopKey Create(string algorithm = SecurityAlgorithms.EcdsaSha256) =>
        new(algorithm.StartsWith("ES", StringComparison.Ordinal) ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048), algorithm);

    public string Algorithm { get; }

    /// <summary>The public key as the proof's <c>jwk</c> header carries it.</summary>
    public Dictionary<string, object> PublicJwk { get; }

    /// <summary>The RFC 7638 thumbprint a token bound to this key names in <c>cnf.jkt</c>.</summary>
    public string Thumbprint { get; }

    /// <summary>
    /// A proof for <paramref name="method"/> <paramref name="url"/>, issued at <paramref name="now"/>; with
    /// <paramref name="accessToken"/> its <c>ath</c>. <paramref name="tamperHeader"/> and <paramref name="tamperPayload"/>
    /// change the members before signing.
    /// </summary>
    public string Proof(string method, string url, DateTimeOffset now, string? accessToken = null, string? nonce = null,
        Action<Dictionary<string, object>>? tamperHeader = null, Action<Dictionary<string, object>>? tamperPayload = null)
    {
        var header = new Dictionary<string, object> { ["typ"] = "dpop+jwt", ["jwk"] = PublicJwk };
        var payload = new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["htm"] = method,
            ["htu"] = url,
            ["iat"] = now.ToUnixTimeSeconds(),
        };
        if (accessToken is not null)
        {
            payload["ath"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        }

        if (nonce is not null)
        {
            payload["nonce"] = nonce;
        }

        tamperHeader?.Invoke(header);
        tamperPayload?.Invoke(payload);
        return _handler.CreateToken(JsonSerializer.Serialize(payload), new SigningCredentials(_signingKey, Algorithm), header);
    }

    /// <summary>An unsigned proof (<c>alg: none</c>), otherwise well-formed.</summary>
    public string UnsignedProof(string method, string url, DateTimeOffset now)
    {
        var signed = new JsonWebToken(Proof(method, url, now));
        var header = JsonSerializer.Serialize(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "dpop+jwt", ["jwk"] = PublicJwk });
        return $"{Base64UrlEncoder.Encode(header)}.{signed.EncodedPayload}.";
    }

    /// <summary>A proof MACed with HS256 under a shared key, the public key in the header all the same.</summary>
    public string HmacProof(string method, string url, DateTimeOffset now)
    {
        var payload = new JsonWebToken(Proof(method, url, now)).EncodedPayload;
        var credentials = new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), SecurityAlgorithms.HmacSha256);
        return _handler.CreateToken(Base64UrlEncoder.Decode(payload), credentials,
            new Dictionary<string, object> { ["typ"] = "dpop+jwt", ["jwk"] = PublicJwk });
    }

    /// <summary>A request to a resource with <c>Authorization: DPoP</c> and a fresh proof (none when <paramref name="proof"/> is empty).</summary>
    public HttpRequestMessage ResourceRequest(HttpMethod method, string url, string accessToken, DateTimeOffset now, string? proof = null, string? nonce = null)
    {
        var request = new HttpRequestMessage(method, url) { Headers = { Authorization = new AuthenticationHeaderValue("DPoP", accessToken) } };
        proof ??= Proof(method.Method, url, now, accessToken, nonce);
        if (proof.Length > 0)
        {
            request.Headers.Add("DPoP", proof);
        }

        return request;
    }

    public void Dispose() => _key.Dispose();
}

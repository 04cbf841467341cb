using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using CredentialPortal.IntegrationTests.TokenService;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.IntegrationTests.Keys;

/// <summary>Key pairs, public keys added through <see cref="KeyManagement"/>, and client assertions as a partner signs them.</summary>
public static class KeyTestKit
{
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    public const string TokenEndpoint = "http://localhost/connect/token";

    public static string PublicPem(AsymmetricAlgorithm key) => key.ExportSubjectPublicKeyInfoPem();

    /// <summary>Adds the public key (any accepted text form) to the application, as the portal does.</summary>
    public static async Task<ClientKey> AddKeyAsync(PortalFactory portal, TestApplication application, string publicKey,
        DateTime? expiresAt = null, string name = "test key")
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var keys = scope.ServiceProvider.GetRequiredService<KeyManagement>();
        var stored = await db.Applications.SingleAsync(a => a.Id == application.Id);
        var result = await keys.AddAsync(stored, name, new KeyInput(publicKey), expiresAt, new AuditActor("tests"));
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        return result.Value!;
    }

    public static SigningCredentials Signing(ECDsa key, string? kid, string algorithm = SecurityAlgorithms.EcdsaSha256) =>
        new(new ECDsaSecurityKey(key) { KeyId = kid }, algorithm);

    public static SigningCredentials Signing(RSA key, string? kid, string algorithm = SecurityAlgorithms.RsaSha256) =>
        new(new RsaSecurityKey(key) { KeyId = kid }, algorithm);

    /// <summary>An RFC 7523 assertion; each argument overrides one claim (null leaves a claim out where that makes sense).</summary>
    public static string Assertion(PortalFactory portal, string clientId, SigningCredentials signing, string? audience = TokenEndpoint,
        TimeSpan? expiresIn = null, TimeSpan? issuedAgo = null, string? jti = "", string? issuer = null, IDictionary<string, object>? extraClaims = null)
    {
        var now = portal.Time.GetUtcNow();
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["iss"] = issuer ?? clientId,
            ["sub"] = clientId,
            ["iat"] = (now - (issuedAgo ?? TimeSpan.Zero)).ToUnixTimeSeconds(),
            ["exp"] = (now + (expiresIn ?? TimeSpan.FromMinutes(2))).ToUnixTimeSeconds(),
        };
        if (audience is not null)
        {
            claims["aud"] = audience;
        }

        if (jti is not null)
        {
            claims["jti"] = jti.Length == 0 ? Guid.NewGuid().ToString() : jti;
        }

        foreach (var (name, value) in extraClaims ?? new Dictionary<string, object>())
        {
            claims[name] = value;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = signing,
        });
    }

    public static async Task<HttpResponseMessage> RequestWithAssertionAsync(HttpClient http, string assertion, string? clientId = null,
        string assertionType = AssertionType, CancellationToken cancellationToken = default)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"),
            new("client_assertion_type", assertionType),
            new("client_assertion", assertion),
        };
        if (clientId is not null)
        {
            fields.Add(new("client_id", clientId));
        }

        return await http.PostAsync("/connect/token", new FormUrlEncodedContent(fields), cancellationToken);
    }

    /// <summary>A self-signed certificate with its private key, valid from a day before <paramref name="now"/>.</summary>
    public static X509Certificate2 SelfSignedCertificate(DateTimeOffset now, TimeSpan? validFor = null, string subject = "CN=partner-system")
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(now.AddDays(-1), now + (validFor ?? TimeSpan.FromDays(730)));
    }
}

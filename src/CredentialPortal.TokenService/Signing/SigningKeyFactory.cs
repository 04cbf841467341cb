using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using CredentialPortal.Core.Signing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService.Signing;

/// <summary>
/// Makes signing keys (a fresh key pair, its private half protected with Data Protection, its public half as a JWK) and
/// turns a stored key back into the <see cref="SecurityKey"/> that signs.
/// </summary>
public sealed class SigningKeyFactory(IDataProtectionProvider dataProtection)
{
    public const string RS256 = SecurityAlgorithms.RsaSha256;
    public const string ES256 = SecurityAlgorithms.EcdsaSha256;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("CredentialPortal.TokenService.SigningKeys");

    public SigningKey Create(string algorithm, KeyWindow window, DateTime now)
    {
        var kid = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        byte[] pkcs8;
        string jwk;
        if (algorithm == ES256)
        {
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            pkcs8 = ec.ExportPkcs8PrivateKey();
            var p = ec.ExportParameters(includePrivateParameters: false);
            jwk = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["kty"] = "EC", ["use"] = "sig", ["alg"] = ES256, ["kid"] = kid, ["crv"] = "P-256",
                ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y),
            });
        }
        else
        {
            using var rsa = RSA.Create(2048);
            pkcs8 = rsa.ExportPkcs8PrivateKey();
            var p = rsa.ExportParameters(includePrivateParameters: false);
            jwk = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["kty"] = "RSA", ["use"] = "sig", ["alg"] = RS256, ["kid"] = kid,
                ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent),
            });
        }

        try
        {
            return new SigningKey
            {
                Id = kid,
                Algorithm = algorithm,
                CreatedAt = now,
                ActivatesAt = window.ActivatesAt,
                RetiresAt = window.RetiresAt,
                UnpublishAt = window.UnpublishAt,
                ProtectedPrivateKey = Convert.ToBase64String(_protector.Protect(pkcs8)),
                PublicJwk = jwk,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>
    /// The key object of a stored key. Its RSA/ECDsa object must live as long as the process: IdentityModel caches
    /// signature providers per key (<see cref="SigningKeyCache"/> keeps one per key id).
    /// </summary>
    public SecurityKey Load(SigningKey row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var pkcs8 = _protector.Unprotect(Convert.FromBase64String(row.ProtectedPrivateKey));
        try
        {
            if (row.Algorithm == ES256)
            {
                var ec = ECDsa.Create();
                ec.ImportPkcs8PrivateKey(pkcs8, out _);
                return new ECDsaSecurityKey(ec) { KeyId = row.Id };
            }

            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return new RsaSecurityKey(rsa) { KeyId = row.Id };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.Core.Credentials;

/// <summary>The checks on a key once read: algorithm and size, a certificate's validity, and the JWK that is stored.</summary>
public static partial class PublicKeyParser
{
    private static (ParsedPublicKey?, string?) FromCertificate(X509Certificate2 certificate, DateTime now)
    {
        using (certificate)
        {
            if (certificate.HasPrivateKey)
            {
                return (null, PrivateKeyMessage);
            }

            var notAfter = certificate.NotAfter.ToUniversalTime();
            if (notAfter <= now)
            {
                return (null, $"The certificate expired on {PortalText.Time(notAfter)}: upload a current one.");
            }

            var subject = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            var described = new CertificateFacts(notAfter, subject,
                Base64UrlEncoder.Encode(certificate.GetCertHash()),
                Base64UrlEncoder.Encode(certificate.GetCertHash(HashAlgorithmName.SHA256)));
            if (certificate.GetRSAPublicKey() is { } rsa)
            {
                return FromRsa(rsa, described);
            }

            return certificate.GetECDsaPublicKey() is { } ec
                ? FromEc(ec, described)
                : (null, $"The certificate's key is neither RSA nor EC P-256/P-384: use RSA (at least {MinimumRsaBits} bits) or EC P-256/P-384.");
        }
    }

    private static ReadOnlySpan<byte> StandardRsaExponent => [0x01, 0x00, 0x01];

    private sealed record CertificateFacts(DateTime NotAfter, string Subject, string X5t, string X5tS256);

    private static (ParsedPublicKey?, string?) FromRsa(RSA? rsa, CertificateFacts? certificate)
    {
        if (rsa is null)
        {
            return (null, Unreadable);
        }

        using (rsa)
        {
            if (rsa.KeySize < MinimumRsaBits)
            {
                return (null, $"This RSA key has {rsa.KeySize} bits; at least {MinimumRsaBits} are required. Generate a larger key pair.");
            }

            if (rsa.KeySize > MaximumRsaBits)
            {
                return (null, $"This RSA key has {rsa.KeySize} bits; at most {MaximumRsaBits} are accepted. Use a 2048, 3072 or 4096-bit key.");
            }

            var parameters = rsa.ExportParameters(false);
            // Every mainstream tool uses 65537; a huge exponent would make each signature check cost as much as a signing.
            if (!parameters.Exponent.AsSpan().TrimStart((byte)0).SequenceEqual(StandardRsaExponent))
            {
                return (null, "This RSA key's public exponent is not 65537 (\"AQAB\"). Generate the key pair with your tool's default settings.");
            }

            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(parameters));
            return Finish(jwk, $"RSA {rsa.KeySize}", certificate);
        }
    }

    private static (ParsedPublicKey?, string?) FromEc(ECDsa? ec, CertificateFacts? certificate)
    {
        if (ec is null)
        {
            return (null, Unreadable);
        }

        using (ec)
        {
            var parameters = ec.ExportParameters(false);
            var curve = parameters.Curve.Oid.FriendlyName switch
            {
                "nistP256" or "ECDSA_P256" => JsonWebKeyECTypes.P256,
                "nistP384" or "ECDSA_P384" => JsonWebKeyECTypes.P384,
                _ => null,
            };
            if (curve is null)
            {
                return (null, "Only the EC curves P-256 and P-384 are accepted.");
            }

            var jwk = new JsonWebKey
            {
                Kty = JsonWebAlgorithmsKeyTypes.EllipticCurve,
                Crv = curve,
                X = Base64UrlEncoder.Encode(parameters.Q.X),
                Y = Base64UrlEncoder.Encode(parameters.Q.Y),
            };
            return Finish(jwk, $"EC {curve}", certificate);
        }
    }

    private static (ParsedPublicKey?, string?) Finish(JsonWebKey jwk, string description, CertificateFacts? certificate)
    {
        var thumbprint = Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint());
        if (certificate is not null)
        {
            jwk.X5t = certificate.X5t;
            jwk.AdditionalData["x5t#S256"] = certificate.X5tS256;
            description = $"{description}, certificate {certificate.Subject}";
        }

        jwk.Kid = thumbprint;
        return (new ParsedPublicKey(jwk, thumbprint, description.Length > ClientKey.MaxDescriptionLength
            ? description[..ClientKey.MaxDescriptionLength] : description, certificate?.NotAfter), null);
    }

    private static ECCurve? CurveOf(string? crv) => crv switch
    {
        JsonWebKeyECTypes.P256 => ECCurve.NamedCurves.nistP256,
        JsonWebKeyECTypes.P384 => ECCurve.NamedCurves.nistP384,
        _ => null,
    };
}

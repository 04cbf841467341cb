using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// Reads a public key in the forms partners have at hand: a JWK, a JWKS holding one key, a PEM public key (SPKI or
/// PKCS#1) or an X.509 certificate (PEM or DER). Only RSA of at least 2048 bits and EC P-256/P-384 are accepted; a
/// private key is refused with a message that it must never be shared. The parsing is the framework's
/// (System.Security.Cryptography, Microsoft.IdentityModel.Tokens), not ours.
/// </summary>
public static partial class PublicKeyParser
{
    public const int MinimumRsaBits = 2048;

    /// <summary>
    /// Larger RSA keys buy no security a partner needs and make every signature check slower (the cost grows with the
    /// cube of the size), and the token endpoint checks signatures before it knows who is calling.
    /// </summary>
    public const int MaximumRsaBits = 4096;

    /// <summary>Larger input is no key we accept (a 16384-bit RSA certificate is still well below).</summary>
    public const int MaxInputBytes = 64 * 1024;

    public const string PrivateKeyMessage =
        "This is a private key. Never share a private key — not with us, not with anyone: keep it in your system only, " +
        "and if it was sent anywhere, generate a new key pair. Paste or upload the public key (or the certificate) instead.";

    private const string Unreadable =
        "This is not a public key we can read. Paste or upload a JWK, a JWKS with one key, a PEM public key " +
        "(-----BEGIN PUBLIC KEY-----) or an X.509 certificate (PEM or DER).";

    private static readonly string[] PrivateJwkMembers = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

    /// <summary>Reads uploaded bytes: text (JSON or PEM) or a DER certificate or public key.</summary>
    public static (ParsedPublicKey? Key, string? Error) Parse(ReadOnlySpan<byte> input, DateTime now)
    {
        if (input.Length > MaxInputBytes)
        {
            return (null, $"The file is larger than {MaxInputBytes / 1024} KB: no public key is that large.");
        }

        var text = TryDecodeText(input);
        return text is not null && (text.TrimStart().StartsWith('{') || text.Contains("-----BEGIN", StringComparison.Ordinal))
            ? Parse(text, now)
            : ParseDer(input.ToArray(), now);
    }

    /// <summary>Reads pasted text: JSON (JWK or JWKS) or PEM.</summary>
    public static (ParsedPublicKey? Key, string? Error) Parse(string? input, DateTime now)
    {
        input = input?.Trim();
        if (string.IsNullOrEmpty(input))
        {
            return (null, "Paste a public key or choose a file.");
        }

        if (input.Length > MaxInputBytes)
        {
            return (null, $"The text is longer than {MaxInputBytes / 1024} KB: no public key is that long.");
        }

        if (input.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            return (null, PrivateKeyMessage);
        }

        return input.StartsWith('{') ? ParseJson(input) : ParsePem(input, now);
    }

    private static (ParsedPublicKey?, string?) ParseJson(string json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (null, "The text starts like JSON but is not valid JSON: paste the whole JWK or JWKS.");
        }

        if (root.TryGetProperty("keys", out var keys))
        {
            if (keys.ValueKind != JsonValueKind.Array || keys.GetArrayLength() != 1)
            {
                return (null, "A JWKS must hold exactly one key here: add each key on its own, so that each gets its own name and expiry.");
            }

            root = keys[0];
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, Unreadable);
        }

        if (PrivateJwkMembers.Any(member => root.TryGetProperty(member, out _)))
        {
            return (null, PrivateKeyMessage);
        }

        JsonWebKey jwk;
        try
        {
            jwk = new JsonWebKey(root.GetRawText());
        }
        catch (ArgumentException)
        {
            return (null, Unreadable);
        }

        return jwk.Kty switch
        {
            JsonWebAlgorithmsKeyTypes.RSA when !string.IsNullOrEmpty(jwk.N) && !string.IsNullOrEmpty(jwk.E) =>
                FromRsa(TryImport(() => RSA.Create(new RSAParameters
                {
                    Modulus = Base64UrlEncoder.DecodeBytes(jwk.N),
                    Exponent = Base64UrlEncoder.DecodeBytes(jwk.E),
                })), certificate: null),
            JsonWebAlgorithmsKeyTypes.EllipticCurve when CurveOf(jwk.Crv) is { } curve && !string.IsNullOrEmpty(jwk.X) && !string.IsNullOrEmpty(jwk.Y) =>
                FromEc(TryImport(() => ECDsa.Create(new ECParameters
                {
                    Curve = curve,
                    Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
                })), certificate: null),
            JsonWebAlgorithmsKeyTypes.EllipticCurve => (null, $"The curve {jwk.Crv} is not accepted: use P-256 or P-384."),
            JsonWebAlgorithmsKeyTypes.RSA => (null, Unreadable),
            _ => (null, $"Keys of type \"{jwk.Kty}\" are not accepted: use RSA (at least {MinimumRsaBits} bits) or EC P-256/P-384."),
        };
    }

    private static (ParsedPublicKey?, string?) ParsePem(string pem, DateTime now)
    {
        if (pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            X509Certificate2 certificate;
            try
            {
                certificate = X509Certificate2.CreateFromPem(pem);
            }
            catch (CryptographicException)
            {
                return (null, "The certificate could not be read: paste the whole PEM block, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.");
            }

            return FromCertificate(certificate, now);
        }

        if (!pem.Contains("PUBLIC KEY-----", StringComparison.Ordinal))
        {
            return (null, Unreadable);
        }

        // RSA reads "PUBLIC KEY" (SPKI) and "RSA PUBLIC KEY" (PKCS#1); ECDsa reads SPKI with an EC key.
        if (TryImport(() => { var rsa = RSA.Create(); rsa.ImportFromPem(pem); return rsa; }) is { } rsaKey)
        {
            return FromRsa(rsaKey, certificate: null);
        }

        return TryImport(() => { var ec = ECDsa.Create(); ec.ImportFromPem(pem); return ec; }) is { } ecKey
            ? FromEc(ecKey, certificate: null)
            : (null, $"The public key is neither RSA nor EC P-256/P-384, or it is damaged. {Unreadable}");
    }

    private static (ParsedPublicKey?, string?) ParseDer(byte[] der, DateTime now)
    {
        try
        {
            return FromCertificate(X509CertificateLoader.LoadCertificate(der), now);
        }
        catch (CryptographicException)
        {
            // Not a certificate: perhaps a bare SubjectPublicKeyInfo.
        }

        if (TryImport(() => { var rsa = RSA.Create(); rsa.ImportSubjectPublicKeyInfo(der, out _); return rsa; }) is { } rsaKey)
        {
            return FromRsa(rsaKey, certificate: null);
        }

        if (TryImport(() => { var ec = ECDsa.Create(); ec.ImportSubjectPublicKeyInfo(der, out _); return ec; }) is { } ecKey)
        {
            return FromEc(ecKey, certificate: null);
        }

        return TryImport(() => { var rsa = RSA.Create(); rsa.ImportPkcs8PrivateKey(der, out _); return rsa; }) is not null
            || TryImport(() => { var ec = ECDsa.Create(); ec.ImportPkcs8PrivateKey(der, out _); return ec; }) is not null
            ? (null, PrivateKeyMessage)
            : (null, Unreadable);
    }

    private static T? TryImport<T>(Func<T> import)
        where T : class
    {
        try
        {
            return import();
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    private static string? TryDecodeText(ReadOnlySpan<byte> input)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(input).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Reminders;

namespace CredentialPortal.UnitTests.Keys;

/// <summary>The upload validations of issue 16 item 1: every accepted form, and every refusal with its message.</summary>
public sealed class PublicKeyParserTests
{
    private static readonly DateTime Now = new(2026, 12, 2, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_RFC_7638_example_key_has_the_RFC_thumbprint()
    {
        // RFC 7638 §3.1.
        const string jwk = """
            {"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}
            """;
        var (key, error) = PublicKeyParser.Parse(jwk, Now);
        Assert.Null(error);
        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", key!.Thumbprint);
        Assert.Equal("RSA 2048", key.Description);
    }

    [Fact]
    public void Every_form_of_one_EC_key_gives_the_same_thumbprint()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = ec.ExportParameters(false);
        var jwk = $$"""{"kty":"EC","crv":"P-256","x":"{{B64(parameters.Q.X!)}}","y":"{{B64(parameters.Q.Y!)}}"}""";
        var forms = new[]
        {
            Parse(jwk),
            Parse($$"""{"keys":[{{jwk}}]}"""),
            Parse(ec.ExportSubjectPublicKeyInfoPem()),
            PublicKeyParser.Parse(ec.ExportSubjectPublicKeyInfo(), Now).Key!,
            PublicKeyParser.Parse(Encoding.UTF8.GetBytes(ec.ExportSubjectPublicKeyInfoPem()), Now).Key!,
        };
        Assert.Single(forms.Select(f => f.Thumbprint).Distinct());
        Assert.All(forms, f => Assert.Equal("EC P-256", f.Description));
        Assert.DoesNotContain("\"d\"", forms[0].ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Certificates_in_PEM_and_DER_give_the_key_its_notAfter_and_thumbprints()
    {
        using var rsa = RSA.Create(3072);
        using var certificate = new CertificateRequest("CN=partner", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(Now.AddDays(-1), Now.AddDays(200));
        var pem = Parse(certificate.ExportCertificatePem());
        var der = PublicKeyParser.Parse(certificate.RawData, Now).Key!;

        Assert.Equal(pem.Thumbprint, der.Thumbprint);
        Assert.Equal(certificate.NotAfter.ToUniversalTime(), pem.CertificateNotAfter);
        Assert.Equal("RSA 3072, certificate partner", pem.Description);
        Assert.Contains("x5t#S256", pem.ToJson(), StringComparison.Ordinal);
        Assert.Equal(DateOnly.FromDateTime(certificate.NotAfter.ToUniversalTime()), KeyManagement.DefaultExpiryDate(pem, Now));
    }

    [Fact]
    public void A_PKCS1_RSA_public_key_is_accepted()
    {
        using var rsa = RSA.Create(2048);
        Assert.Equal("RSA 2048", Parse(rsa.ExportRSAPublicKeyPem()).Description);
    }

    public static TheoryData<string, string> Refusals()
    {
        using var rsa = RSA.Create(2048);
        using var small = RSA.Create(1024);
        using var p521 = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = ec.ExportParameters(true);
        using var expiredRsa = RSA.Create(2048);
        using var expired = new CertificateRequest("CN=old", expiredRsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(Now.AddDays(-100), Now.AddDays(-1));
        var publicJwk = $$"""{"kty":"EC","crv":"P-256","x":"{{B64(p.Q.X!)}}","y":"{{B64(p.Q.Y!)}}"}""";
        using var huge = RSA.Create(4096 + 64);
        var modulus = rsa.ExportParameters(false).Modulus!;
        // An exponent almost as large as the modulus: accepted by RSA, but each signature check costs as much as a signing.
        var largeExponent = modulus.ToArray();
        largeExponent[0] >>= 1;
        largeExponent[^1] |= 1;
        return new TheoryData<string, string>
        {
            { huge.ExportSubjectPublicKeyInfoPem(), "has 4160 bits; at most 4096 are accepted" },
            { $$"""{"kty":"RSA","n":"{{B64(modulus)}}","e":"{{B64(largeExponent)}}"}""", "public exponent is not 65537" },
            { $$"""{"kty":"RSA","n":"{{B64(modulus)}}","e":"Aw"}""", "public exponent is not 65537" },
            { rsa.ExportPkcs8PrivateKeyPem(), "Never share a private key" },
            { rsa.ExportRSAPrivateKeyPem(), "Never share a private key" },
            { ec.ExportECPrivateKeyPem(), "Never share a private key" },
            { $$"""{"kty":"EC","crv":"P-256","x":"{{B64(p.Q.X!)}}","y":"{{B64(p.Q.Y!)}}","d":"{{B64(p.D!)}}"}""", "Never share a private key" },
            { small.ExportSubjectPublicKeyInfoPem(), "has 1024 bits; at least 2048 are required" },
            { p521.ExportSubjectPublicKeyInfoPem(), "P-256 and P-384" },
            { """{"kty":"oct","k":"c2VjcmV0"}""", "Never share a private key" },
            { """{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}""", "Keys of type \"OKP\" are not accepted" },
            { $$"""{"keys":[{{publicJwk}},{{publicJwk}}]}""", "exactly one key" },
            { "{not json", "not valid JSON" },
            { expired.ExportCertificatePem(), "The certificate expired on" },
            { "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "The certificate could not be read" },
            { "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG", "not a public key we can read" },
            { "", "Paste a public key or choose a file" },
        };
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_refused_input_says_why(string input, string message)
    {
        var (key, error) = PublicKeyParser.Parse(input, Now);
        Assert.Null(key);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_garbage_and_oversized_files_are_refused()
    {
        Assert.Contains("not a public key we can read", PublicKeyParser.Parse(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x05 }, Now).Error, StringComparison.Ordinal);
        Assert.Contains("larger than 64 KB", PublicKeyParser.Parse(new byte[PublicKeyParser.MaxInputBytes + 1], Now).Error, StringComparison.Ordinal);
        using var rsa = RSA.Create(2048);
        Assert.Contains("Never share a private key", PublicKeyParser.Parse(rsa.ExportPkcs8PrivateKey(), Now).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_reminder_says_replace_the_key_and_shows_the_thumbprint_whole()
    {
        var message = ReminderEmail.Compose(new ReminderEmailModel(7, "Partner-NL-Org-DM", "client", "Key by Kim", "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
            CredentialKind.Key, Now.AddDays(21), Now, ReminderSlot.DaysBeforeExpiry(21), Replaced: false, "https://portal.example/manage-api-credentials"), ["kim@example.org"]);
        Assert.StartsWith("Key \"Key by Kim\" of Partner-NL-Org-DM expires in 21 days", message.Subject, StringComparison.Ordinal);
        Assert.Contains("replace the key", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("(NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs)", message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("client secret", message.TextBody, StringComparison.Ordinal);
    }

    private static ParsedPublicKey Parse(string text)
    {
        var (key, error) = PublicKeyParser.Parse(text, Now);
        Assert.True(key is not null, error);
        return key;
    }

    private static string B64(byte[] bytes) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(bytes);
}

using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.Core.Credentials;

/// <summary>A public key read from what a partner pasted or uploaded: the JWK to store, its thumbprint and a description.</summary>
public sealed record ParsedPublicKey(JsonWebKey Jwk, string Thumbprint, string Description, DateTime? CertificateNotAfter)
{
    /// <summary>The JWK with its public members only and <c>kid</c> = thumbprint, as stored.</summary>
    public string ToJson()
    {
        var members = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["kty"] = Jwk.Kty, ["kid"] = Thumbprint };
        if (Jwk.Kty == JsonWebAlgorithmsKeyTypes.RSA)
        {
            members["n"] = Jwk.N;
            members["e"] = Jwk.E;
        }
        else
        {
            members["crv"] = Jwk.Crv;
            members["x"] = Jwk.X;
            members["y"] = Jwk.Y;
        }

        if (Jwk.X5t is { Length: > 0 } x5t)
        {
            members["x5t"] = x5t;
        }

        if (Jwk.AdditionalData.TryGetValue("x5t#S256", out var s256) && s256 is string x5tS256)
        {
            members["x5t#S256"] = x5tS256;
        }

        return JsonSerializer.Serialize(members);
    }
}

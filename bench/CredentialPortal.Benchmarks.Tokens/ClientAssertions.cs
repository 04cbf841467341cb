using System.Security.Cryptography;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.Benchmarks.Tokens;

/// <summary>
/// For bench/token-endpoint.sh's private_key_jwt runs: gives the demo client of a running app (SQLite or PostgreSQL) a new key pair's
/// public key, the way the portal stores it (parsed by <see cref="PublicKeyParser"/>, with a change-log row so the app
/// evicts the client), and writes one signed assertion per line, each with its own jti (the app accepts each once).
/// </summary>
public static class ClientAssertions
{
    public static async Task WriteAsync(string database, string clientId, string algorithm, int count, string audience, string outputFile)
    {
        using var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsaKey = RSA.Create(2048);
        AsymmetricAlgorithm key = algorithm == "ES256" ? ecKey : rsaKey;
        var now = DateTime.UtcNow;
        var (parsed, error) = PublicKeyParser.Parse(key.ExportSubjectPublicKeyInfoPem(), now);
        if (parsed is null)
        {
            throw new InvalidOperationException(error);
        }

        await using (var db = new CredentialPortalDbContext(BenchDatabase.Options(database)))
        {
            var application = await db.Applications.SingleAsync(a => a.ClientId == clientId);
            db.ClientKeys.Add(new ClientKey
            {
                ApplicationId = application.Id,
                Name = $"bench {algorithm}",
                Hint = parsed.Thumbprint,
                PublicJwk = parsed.ToJson(),
                KeyDescription = parsed.Description,
                CreatedAt = now,
                CreatedBy = "bench",
                ExpiresAt = now.AddDays(30),
            });
            db.RecordCredentialChange(application.Id, now);
            await db.SaveChangesAsync();
        }

        SecurityKey securityKey = algorithm == "ES256" ? new ECDsaSecurityKey(ecKey) : new RsaSecurityKey(rsaKey);
        securityKey.KeyId = parsed.Thumbprint;
        var signing = new SigningCredentials(securityKey, algorithm == "ES256" ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256);
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var issuedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var lines = new string[count];
        Parallel.For(0, count, i => lines[i] = handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["iss"] = clientId,
                ["sub"] = clientId,
                ["aud"] = audience,
                ["iat"] = issuedAt,
                ["exp"] = issuedAt + 290,
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
            SigningCredentials = signing,
        }));
        await File.WriteAllLinesAsync(outputFile, lines);
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.Benchmarks.Tokens;

/// <summary>
/// For bench/token-endpoint.sh's federated run: a Kubernetes cluster's service-account issuer on a loopback port (its
/// discovery document and JWKS at Kubernetes' paths, an RS256 key, as clusters sign by default). It gives the demo client
/// of a running app (SQLite or PostgreSQL) a federated identity for one service account, with a change-log row so the app evicts the
/// client, writes one projected token (a list of one audience, one hour) that every request reuses, as a pod rereads the
/// same file until the kubelet renews it, and then serves the app's key fetches until it is stopped.
/// </summary>
public static class FederatedIssuer
{
    private const string ServiceAccount = "system:serviceaccount:bench:exporter";

    public static async Task RunAsync(string database, string clientId, string issuer, string audience, string tokenFile)
    {
        using var rsa = RSA.Create(2048);
        var kid = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(8));
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        var discovery = JsonSerializer.Serialize(new { issuer, jwks_uri = issuer + "/openid/v1/jwks" });
        var jwks = JsonSerializer.Serialize(new
        {
            keys = new[]
            {
                new Dictionary<string, string>
                {
                    ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = kid,
                    ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                },
            },
        });

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, new Uri(issuer).Port));
        await using var app = builder.Build();
        app.MapGet("/.well-known/openid-configuration", () => Results.Text(discovery, "application/json"));
        app.MapGet("/openid/v1/jwks", () => Results.Text(jwks, "application/jwk-set+json"));
        await app.StartAsync();

        var now = DateTime.UtcNow;
        await using (var db = new CredentialPortalDbContext(BenchDatabase.Options(database)))
        {
            var application = await db.Applications.SingleAsync(a => a.ClientId == clientId);
            db.FederatedIdentities.Add(new FederatedIdentity
            {
                ApplicationId = application.Id,
                Name = "bench cluster",
                Hint = FederatedIdentity.HintOf(ServiceAccount),
                Issuer = issuer,
                Subject = ServiceAccount,
                Audience = audience,
                CreatedAt = now,
                CreatedBy = "bench",
                ExpiresAt = FederatedIdentity.NoReviewDate,
            });
            db.RecordCredentialChange(application.Id, now);
            await db.SaveChangesAsync();
        }

        var issuedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object>
            {
                ["iss"] = issuer,
                ["sub"] = ServiceAccount,
                ["aud"] = new[] { audience },
                ["iat"] = issuedAt,
                ["nbf"] = issuedAt,
                ["exp"] = issuedAt + 3600,
                ["jti"] = Guid.NewGuid().ToString(),
                ["kubernetes.io"] = new Dictionary<string, object>
                {
                    ["namespace"] = "bench",
                    ["serviceaccount"] = new Dictionary<string, string> { ["name"] = "exporter" },
                },
            },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = kid }, SecurityAlgorithms.RsaSha256),
        });
        // Written whole under another name and renamed, so that the script never reads half a token.
        await File.WriteAllTextAsync(tokenFile + ".tmp", token);
        File.Move(tokenFile + ".tmp", tokenFile, overwrite: true);

        await app.WaitForShutdownAsync();
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.IntegrationTests.Dpop;

/// <summary>
/// The sample of docs/integrators.md ("Validating DPoP-bound tokens in your API"), kept here so that it is tested: what a
/// partner's ASP.NET Core API adds to JwtBearer (Authority and Audience as usual) to accept our DPoP-bound tokens only
/// with a proof of their key (RFC 9449 §4.3, §7). Microsoft.IdentityModel only; used jtis in the API's IMemoryCache.
/// </summary>
public static class PartnerDpopCheck
{
    private static readonly string[] Algorithms = ["ES256", "ES384", "PS256", "RS256"];

    /// <summary>JwtBearer reads only <c>Authorization: Bearer</c>; a DPoP-bound token comes as <c>Authorization: DPoP</c>.</summary>
    public static Task OnMessageReceived(MessageReceivedContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("DPoP ", StringComparison.OrdinalIgnoreCase))
        {
            context.Token = authorization["DPoP ".Length..].Trim();
        }

        return Task.CompletedTask;
    }

    /// <summary>After JwtBearer validated the token: a token with <c>cnf.jkt</c> needs a proof by that key for this request.</summary>
    public static async Task OnTokenValidated(TokenValidatedContext context)
    {
        if (await RefusalAsync(context) is { } refusal)
        {
            context.Fail(refusal);
        }
    }

    private static async Task<string?> RefusalAsync(TokenValidatedContext context)
    {
        var request = context.Request;
        var sentAsDpop = request.Headers.Authorization.ToString().StartsWith("DPoP ", StringComparison.OrdinalIgnoreCase);
        var cnf = context.Principal!.FindFirst("cnf")?.Value;
        if (cnf is null)
        {
            return sentAsDpop ? "not a DPoP-bound token" : null;
        }

        var jkt = JsonDocument.Parse(cnf).RootElement.GetProperty("jkt").GetString();
        if (!sentAsDpop || request.Headers["DPoP"].Count != 1)
        {
            return "a DPoP-bound token needs Authorization: DPoP and one DPoP proof";
        }

        JsonWebToken proof;
        JsonWebKey jwk;
        try
        {
            proof = new JsonWebToken(request.Headers["DPoP"].ToString());
            using var header = JsonDocument.Parse(Base64UrlEncoder.Decode(proof.EncodedHeader));
            jwk = new JsonWebKey(header.RootElement.GetProperty("jwk").GetRawText());
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or KeyNotFoundException)
        {
            return "the DPoP proof is malformed";
        }

        // The proof's key must be the one the token is bound to, and public (no "d").
        if (proof.Typ != "dpop+jwt" || jwk.D is not null || Base64UrlEncoder.Encode(jwk.ComputeJwkThumbprint()) != jkt)
        {
            return "the DPoP proof is not by the token's key";
        }

        var signature = await new JsonWebTokenHandler().ValidateTokenAsync(proof, new TokenValidationParameters
        {
            IssuerSigningKey = jwk,
            ValidAlgorithms = Algorithms,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
        });
        var accessToken = ((JsonWebToken)context.SecurityToken).EncodedToken;
        var ath = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        // Behind a reverse proxy, UseForwardedHeaders makes Scheme and Host the public ones the client signed.
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (!signature.IsValid
            || !proof.TryGetPayloadValue<string>("htm", out var htm) || htm != request.Method
            || !proof.TryGetPayloadValue<string>("htu", out var htu) || !string.Equals(htu, url, StringComparison.OrdinalIgnoreCase)
            || !proof.TryGetPayloadValue<long>("iat", out var iat) || Math.Abs(now - iat) > 60
            || !proof.TryGetPayloadValue<string>("ath", out var sentAth) || sentAth != ath
            || proof.Id is not { Length: > 0 } jti)
        {
            return "the DPoP proof is not valid for this request";
        }

        // Each proof once: remembered a little longer than the iat window accepts it.
        var used = context.HttpContext.RequestServices.GetRequiredService<IMemoryCache>();
        if (used.TryGetValue(jkt + " " + jti, out _))
        {
            return "the DPoP proof was used before";
        }

        used.Set(jkt + " " + jti, true, TimeSpan.FromMinutes(2));
        return null;
    }
}

using CredentialPortal.TokenService.ClientAuthentication;
using CredentialPortal.TokenService.Clients;
using CredentialPortal.TokenService.Dpop;
using CredentialPortal.TokenService.Issuance;
using CredentialPortal.TokenService.Requests;
using CredentialPortal.TokenService.Telemetry;
using CredentialPortal.TokenService.Throttling;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Endpoints;

/// <summary>
/// <c>POST /connect/token</c>: the client_credentials grant of RFC 6749 §4.4, issuing RFC 9068 JWT access tokens. An
/// orchestrator over small parts, each returning a value: read the form → read the client's credentials (one
/// <see cref="IClientAuthenticationMethod"/>) → check the DPoP proof, if any → authenticate → the application's DPoP
/// policy → rate-limit → resolve scope and audiences → build and sign (bound to the proof's key: RFC 9449 §5). Only
/// this class writes the answer.
/// </summary>
public sealed class TokenEndpoint(
    ClientCredentialReader requests,
    ClientAuthenticator authenticator,
    [FromKeyedServices(ClientRateLimiter.TokenRequests)] ClientRateLimiter rateLimiter,
    DpopProofValidator proofs,
    DpopNonces nonces,
    ScopeResolver scopes,
    AccessTokenFactory tokens,
    UsageRecorder usage,
    UsageCounter counts,
    TokenServiceMetrics metrics,
    IOptions<TokenServiceOptions> options,
    TimeProvider time)
{
    public const string Path = "/connect/token";
    public const string ClientCredentialsGrant = "client_credentials";

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Only a client not cached (or cached too long ago, see ClientCache) needs the database. When it is down the
        // exception reaches the host's outage handler, which answers 503 temporarily_unavailable with Retry-After.
        if (await IssueAsync(context) is { } error)
        {
            metrics.TokenRefused(error);
            await OAuthResponses.WriteErrorAsync(context, error);
        }
    }

    /// <summary>Issues a token and writes it, or returns the error to answer with.</summary>
    private async Task<OAuthError?> IssueAsync(HttpContext context)
    {
        var (form, presented, readError) = await requests.ReadAsync(context);
        if (form is null || presented is null)
        {
            return readError;
        }

        if (form["grant_type"] is not { Length: > 0 } grantType)
        {
            return OAuthError.InvalidRequest("grant_type is required");
        }

        if (grantType != ClientCredentialsGrant)
        {
            return new OAuthError(StatusCodes.Status400BadRequest, OAuthErrors.UnsupportedGrantType,
                "only the client_credentials grant is supported");
        }

        // Before client authentication, which uses up a client assertion's jti: a client told to retry with a nonce
        // signs a new assertion, but its first one must not count as replayed if it does not.
        var issuer = TokenIssuer.Resolve(options.Value, context.Request);
        DpopProof? proof = null;
        if (DpopProofValidator.IsPresent(context.Request))
        {
            (proof, var proofFailure) = await proofs.ValidateAsync(context.Request, issuer + Path);
            if (proofFailure is not null)
            {
                return OAuthError.Dpop(proofFailure, proofFailure.Error == DpopFailure.UseNonce ? nonces.Current() : null);
            }
        }

        var (client, authenticationError) = await authenticator.AuthenticateAsync(context, presented);
        if (client is null)
        {
            return authenticationError;
        }

        if (proof is null && client.Client.RequireDpop)
        {
            return OAuthError.Dpop(DpopFailure.Invalid(
                "this application requires DPoP: send a DPoP proof (RFC 9449) with the token request to get a DPoP-bound token"), null);
        }

        if (rateLimiter.TryAcquire(client.Client.ApplicationId) is { } wait)
        {
            return OAuthError.SlowDown("too many token requests for this client; reuse tokens until shortly before they expire", wait);
        }

        var (grant, scopeError) = scopes.Resolve(client.Client, form["scope"], context.Request);
        if (grant is null)
        {
            return scopeError;
        }

        var token = await tokens.CreateAsync(issuer, client, grant, proof?.Thumbprint, context.RequestAborted);
        var issuedAt = time.GetUtcNow().UtcDateTime;
        usage.Record(client.Client.ApplicationId, client.Credential.Id, issuedAt);
        counts.TokenIssued(client.Client.ApplicationId, client.Credential.Id, issuedAt);
        metrics.TokenIssued(presented.Method, options.Value.Algorithm);
        if (proof is not null && nonces.Required)
        {
            // The nonce of the current window, so that the client's next proof carries a fresh one (RFC 9449 §8.2).
            context.Response.Headers[DpopProofValidator.NonceHeaderName] = nonces.Current();
        }

        await OAuthResponses.WriteJsonAsync(context, writer =>
        {
            writer.WriteString("access_token", token);
            writer.WriteString("token_type", proof is null ? "Bearer" : "DPoP");
            writer.WriteNumber("expires_in", tokens.LifetimeSeconds);
            writer.WriteString("scope", grant.Scope);
        });
        return null;
    }
}

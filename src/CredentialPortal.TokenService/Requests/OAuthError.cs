using Microsoft.AspNetCore.Http;

namespace CredentialPortal.TokenService.Requests;

/// <summary>
/// An RFC 6749 §5.2 error answer, as a value: each part of a request's handling returns one instead of writing HTTP,
/// and <see cref="Endpoints.OAuthResponses"/> writes it. <c>BasicChallenge</c> adds <c>WWW-Authenticate: Basic</c> (a 401
/// to a client that used HTTP Basic); <c>DpopNonce</c> is sent as <c>DPoP-Nonce</c> (RFC 9449 §8).
/// </summary>
public sealed record OAuthError(int Status, string Code, string Description, bool BasicChallenge = false, TimeSpan? RetryAfter = null,
    string? DpopNonce = null)
{
    public static OAuthError InvalidRequest(string description) =>
        new(StatusCodes.Status400BadRequest, Endpoints.OAuthErrors.InvalidRequest, description);

    public static OAuthError InvalidClient(string description, bool basicChallenge) =>
        new(StatusCodes.Status401Unauthorized, Endpoints.OAuthErrors.InvalidClient, description, basicChallenge);

    public static OAuthError InvalidScope(string description) =>
        new(StatusCodes.Status400BadRequest, Endpoints.OAuthErrors.InvalidScope, description);

    public static OAuthError SlowDown(string description, TimeSpan retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, Endpoints.OAuthErrors.SlowDown, description, RetryAfter: retryAfter);

    /// <summary>RFC 9449 §5: a refused proof is a 400 at the token endpoint, with a fresh nonce when one is needed.</summary>
    public static OAuthError Dpop(Dpop.DpopFailure failure, string? nonce) =>
        new(StatusCodes.Status400BadRequest, failure.Error, failure.Description, DpopNonce: nonce);
}

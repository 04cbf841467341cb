using Microsoft.AspNetCore.Http;

namespace CredentialPortal.TokenService.Requests;

/// <summary>
/// An RFC 6749 §5.2 error answer, as a value: each part of a request's handling returns one instead of writing HTTP,
/// and <see cref="Endpoints.OAuthResponses"/> writes it. <c>BasicChallenge</c> adds <c>WWW-Authenticate: Basic</c> (a 401
/// to a client that used HTTP Basic).
/// </summary>
public sealed record OAuthError(int Status, string Code, string Description, bool BasicChallenge = false, TimeSpan? RetryAfter = null)
{
    public static OAuthError InvalidRequest(string description) =>
        new(StatusCodes.Status400BadRequest, Endpoints.OAuthErrors.InvalidRequest, description);

    public static OAuthError InvalidClient(string description, bool basicChallenge) =>
        new(StatusCodes.Status401Unauthorized, Endpoints.OAuthErrors.InvalidClient, description, basicChallenge);

    public static OAuthError InvalidScope(string description) =>
        new(StatusCodes.Status400BadRequest, Endpoints.OAuthErrors.InvalidScope, description);

    public static OAuthError SlowDown(string description, TimeSpan retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, Endpoints.OAuthErrors.SlowDown, description, RetryAfter: retryAfter);
}

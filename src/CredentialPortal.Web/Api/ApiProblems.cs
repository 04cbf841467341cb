using CredentialPortal.Core;
using CredentialPortal.TokenService;

namespace CredentialPortal.Web.Api;

/// <summary>RFC 9457 problem details for the management API's errors (401 is the bearer scheme's own).</summary>
internal static class ApiProblems
{
    public static IResult Forbidden(HttpContext context, string detail)
    {
        // In the scheme the token came with: a DPoP-bound token's client expects a DPoP challenge (RFC 9449 §7.1).
        var scheme = TokenService.Dpop.DpopBinding.SentAsDpop(context) ? TokenService.Dpop.DpopBinding.Scheme : "Bearer";
        context.Response.Headers.WWWAuthenticate =
            $"{scheme} error=\"insufficient_scope\", scope=\"{TokenScopes.CredentialsSelf} {TokenScopes.CredentialsAdmin}\"";
        return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);
    }

    public static IResult ApplicationNotFound(string clientId) => Results.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Not Found", detail: $"No application with client_id '{PlainText.Echo(clientId)}' that this token may manage.");

    public static IResult SecretNotFound(string clientId, string id) => Results.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Not Found", detail: $"The application '{PlainText.Echo(clientId)}' has no secret with id '{PlainText.Echo(id)}'.");

    public static IResult KeyNotFound(string clientId, string id) => Results.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Not Found", detail: $"The application '{PlainText.Echo(clientId)}' has no key with id '{PlainText.Echo(id)}'.");

    public static IResult FederatedIdentityNotFound(string clientId, string id) => Results.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Not Found", detail: $"The application '{PlainText.Echo(clientId)}' has no federated identity with id '{PlainText.Echo(id)}'.");

    public static IResult BadRequest(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: detail);

    public static IResult Invalid(IDictionary<string, string[]> errors) => Results.ValidationProblem(errors,
        detail: string.Join(" ", errors.Values.SelectMany(v => v)), title: "The request is not valid");

    public static IResult UnsupportedMediaType() => Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported Media Type", detail: "Send the request body as JSON (Content-Type: application/json).");

    public static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    public static IResult PreconditionFailed() => Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed,
        title: "Precondition Failed",
        detail: "The application changed since the ETag given in If-Match was read. GET it again and retry with the new ETag.");
}

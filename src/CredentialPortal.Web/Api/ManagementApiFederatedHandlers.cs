using System.Text.Json;
using CredentialPortal.Core;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.TokenService;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Api;

/// <summary>
/// <c>/api/v1/applications/{clientId}/federated-credentials</c>: list, add, disable, enable and delete an application's
/// federated identities, with the rules of keys (<see cref="FederatedIdentityManagement"/>, <see cref="CredentialLifecycle"/>):
/// the same self-rotation scope, If-Match, limit, policy and last-credential guard.
/// </summary>
internal static class ManagementApiFederatedHandlers
{
    private const string Collection = "federated-credentials";

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet($"/applications/{{clientId}}/{Collection}", ListAsync)
            .WithName("ListFederatedCredentials")
            .WithSummary("The application's federated identities (tokens of a trusted issuer)")
            .Produces<FederatedCredentialList>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost($"/applications/{{clientId}}/{Collection}", AddAsync)
            .WithName("AddFederatedCredential")
            .WithSummary("Add a federated identity")
            .WithDescription("Same rules as the portal: a trusted issuer, an exact subject, one audience (default this service's issuer), " +
                "optional extra claims and review date (at most one year), within the application's limit and policy.")
            .Accepts<AddFederatedCredentialRequest>("application/json", "*/*")
            .Produces<FederatedCredentialResource>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        ApiCredentialChanges.Map(api, Collection, "FederatedCredential", application => application.FederatedIdentities,
            FederatedCredentialResource.From, ApiProblems.FederatedIdentityNotFound);
    }

    private static async Task<IResult> ListAsync(string clientId, ApiCaller caller, HttpContext context, CredentialPortalDbContext db, TimeProvider time)
    {
        if (await ManagementApiHandlers.FindAsync(db, context, caller, clientId) is not { } application)
        {
            return ApiProblems.ApplicationNotFound(clientId);
        }

        var now = time.GetUtcNow().UtcDateTime;
        context.Response.Headers.ETag = ApplicationETag.For(application);
        return Results.Ok(new FederatedCredentialList(
            [.. application.FederatedIdentities.OrderBy(f => f.CreatedAt).ThenBy(f => f.Id).Select(f => FederatedCredentialResource.From(f, now))]));
    }

    private static async Task<IResult> AddAsync(string clientId, ApiCaller caller, HttpContext context, CredentialPortalDbContext db,
        FederatedIdentityManagement identities, IOptions<TokenServiceOptions> tokenService, TimeProvider time)
    {
        if (await ManagementApiHandlers.FindAsync(db, context, caller, clientId) is not { } application)
        {
            return ApiProblems.ApplicationNotFound(clientId);
        }

        if (!ApplicationETag.IfMatchAllows(context.Request, ApplicationETag.For(application)))
        {
            return ApiProblems.PreconditionFailed();
        }

        var (request, readError) = await ManagementApiHandlers.ReadJsonAsync<AddFederatedCredentialRequest>(context.Request);
        if (readError is not null)
        {
            return readError;
        }

        var now = time.GetUtcNow().UtcDateTime;
        DateTime? reviewBy = null;
        if (request!.ReviewBy is not null)
        {
            if (ManagementApiHandlers.ParseExpiry(CredentialKind.FederatedIdentity, request.ReviewBy, now, out var parsed) is { } reviewError)
            {
                return ApiProblems.Invalid(new Dictionary<string, string[]> { ["reviewBy"] = [reviewError] });
            }

            reviewBy = parsed;
        }

        FieldResult<FederatedIdentity> result;
        try
        {
            result = await identities.AddAsync(application,
                new FederatedIdentityInput(request.Name, request.Issuer, request.Subject, request.Audience, request.Claims, reviewBy),
                TokenIssuer.Resolve(tokenService.Value, context.Request), caller.Actor, context.RequestAborted);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.PreconditionFailed();
        }

        if (result.Value is not { } added)
        {
            return ApiProblems.Invalid(result.Errors.ToDictionary(e => JsonNamingPolicy.CamelCase.ConvertName(e.Key), e => new[] { e.Value }));
        }

        context.Response.Headers.ETag = ApplicationETag.For(application);
        return Results.Created($"/api/v1/applications/{Uri.EscapeDataString(application.ClientId)}/{Collection}/{added.Id}",
            FederatedCredentialResource.From(added, now));
    }
}

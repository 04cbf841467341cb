using System.Text.Json;
using CredentialPortal.Core;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Api;

/// <summary>
/// <c>/api/v1/applications/{clientId}/keys</c>: list, add, disable, enable and delete an application's public keys, with
/// the rules of secrets (<see cref="KeyManagement"/>, <see cref="CredentialLifecycle"/>): the same self-rotation scope,
/// If-Match, limit and last-credential guard. Only public material is ever returned.
/// </summary>
internal static class ManagementApiKeyHandlers
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/applications/{clientId}/keys", ListAsync)
            .WithName("ListKeys")
            .WithSummary("The application's public keys (private_key_jwt)")
            .Produces<KeyList>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/applications/{clientId}/keys", AddAsync)
            .WithName("AddKey")
            .WithSummary("Add a public key")
            .WithDescription("Same rules as the portal: RSA ≥ 2048 bits or EC P-256/P-384, never a private key, at most one year " +
                "and never beyond a certificate's notAfter, within the application's limit (secrets and keys together). With " +
                "replaces, a rotation: the replaced credential expires at the end of gracePeriod (default P7D, at most P30D).")
            .Accepts<AddKeyRequest>("application/json", "*/*")
            .Produces<KeyResource>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        ApiCredentialChanges.Map(api, "keys", "Key", application => application.Keys,
            KeyResource.From, ApiProblems.KeyNotFound);
    }

    private static async Task<IResult> ListAsync(string clientId, ApiCaller caller, HttpContext context, CredentialPortalDbContext db, TimeProvider time)
    {
        if (await ManagementApiHandlers.FindAsync(db, context, caller, clientId) is not { } application)
        {
            return ApiProblems.ApplicationNotFound(clientId);
        }

        var now = time.GetUtcNow().UtcDateTime;
        context.Response.Headers.ETag = ApplicationETag.For(application);
        return Results.Ok(new KeyList([.. application.Keys.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id).Select(k => KeyResource.From(k, now))]));
    }

    private static async Task<IResult> AddAsync(string clientId, ApiCaller caller, HttpContext context, CredentialPortalDbContext db,
        KeyManagement keys, TimeProvider time)
    {
        if (await ManagementApiHandlers.FindAsync(db, context, caller, clientId) is not { } application)
        {
            return ApiProblems.ApplicationNotFound(clientId);
        }

        if (!ApplicationETag.IfMatchAllows(context.Request, ApplicationETag.For(application)))
        {
            return ApiProblems.PreconditionFailed();
        }

        var (request, readError) = await ManagementApiHandlers.ReadJsonAsync<AddKeyRequest>(context.Request);
        if (readError is not null)
        {
            return readError;
        }

        var now = time.GetUtcNow().UtcDateTime;
        DateTime? expiresAt = null;
        if (request!.ExpiresAt is not null)
        {
            if (ManagementApiHandlers.ParseExpiry(CredentialKind.Key, request.ExpiresAt, now, out var parsed) is { } expiryError)
            {
                return Invalid("expiresAt", expiryError);
            }

            expiresAt = parsed;
        }

        var (replaces, replacesError) = ApiRotation.Replacement(application, request.Replaces, request.GracePeriod, request.RetireAfterFirstUse);
        if (replacesError is not null)
        {
            return replacesError;
        }

        var text = request.Key.ValueKind switch
        {
            JsonValueKind.String => request.Key.GetString(),
            JsonValueKind.Object => request.Key.GetRawText(),
            _ => null,
        };
        FieldResult<ClientKey> result;
        try
        {
            result = await keys.AddAsync(application, request.Name, new KeyInput(text), expiresAt, caller.Actor, replaces, context.RequestAborted);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.PreconditionFailed();
        }

        if (result.Value is not { } added)
        {
            return ApiRotation.Problem(result.Errors);
        }

        context.Response.Headers.ETag = ApplicationETag.For(application);
        return Results.Created($"/api/v1/applications/{Uri.EscapeDataString(application.ClientId)}/keys/{added.Id}", KeyResource.From(added, now));
    }

    private static IResult Invalid(string field, string message) =>
        ApiProblems.Invalid(new Dictionary<string, string[]> { [field] = [message] });
}

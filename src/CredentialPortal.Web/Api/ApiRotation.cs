using System.ComponentModel;
using System.Text.Json;
using CredentialPortal.Core;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Api;

/// <summary>Rotates a secret. Every field is optional, and so is the body. Unknown fields are refused.</summary>
public sealed class RotateSecretRequest
{
    [Description("The new secret's name (at most 100 characters); default the old one's.")]
    public string? Name { get; init; }

    [Description("When the new secret stops working, as in CreateSecret; default one year from today.")]
    public string? ExpiresAt { get; init; }

    [Description(ApiRotation.GracePeriodDescription)]
    public string? GracePeriod { get; init; }

    [Description(ApiRotation.RetireAfterFirstUseDescription)]
    public string? RetireAfterFirstUse { get; init; }
}

/// <summary>The response that rotates a secret: the new secret with, this one time only, its value; and the old one, now retiring.</summary>
public sealed record RotatedSecretResource(
    int Id,
    string Name,
    string Hint,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime ExpiresAt,
    int DaysLeft,
    CredentialState Status,
    DateTime? DisabledAt,
    DateTime? LastUsedAt,
    [property: Description("The client_id the secret belongs to.")] string ClientId,
    [property: Description("The new secret's value. Shown only in this response: store it now.")] string Value,
    [property: Description("The secret it replaces: its expiresAt is now the end of the grace period.")] SecretResource Replaced)
    : SecretResource(Id, Name, Hint, CreatedAt, CreatedBy, ExpiresAt, DaysLeft, Status, DisabledAt, LastUsedAt);

/// <summary>
/// <c>POST …/secrets/{id}/rotate</c> and the rotation fields of <c>POST …/keys</c>: the grace period as ISO 8601
/// durations, checked by <see cref="CredentialRotation"/> like the portal's choice.
/// </summary>
internal static class ApiRotation
{
    public const string GracePeriodDescription = "Optional. How long the replaced credential keeps working, as an ISO 8601 duration " +
        "(P7D, PT12H); default P7D, at most P30D. Its expiry only ever moves earlier.";

    public const string RetireAfterFirstUseDescription = "Optional. An ISO 8601 duration: the replaced credential expires this long " +
        "after the new one first obtains a token, if that is before the end of the grace period (e.g. PT1H).";

    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/applications/{clientId}/secrets/{id}/rotate", RotateSecretAsync)
            .WithName("RotateSecret")
            .WithSummary("Replace a secret with a new one; the old one keeps working for a grace period")
            .WithDescription("Creates a new secret (its value in this response only, as CreateSecret) and sets the old one to " +
                "expire at the end of gracePeriod (default 7 days, at most 30), or earlier, retireAfterFirstUse after the new " +
                "one first obtains a token. Only an active secret that was not rotated before can be rotated (409). The " +
                "managers are emailed, webhooks receive credential.rotated, and the old one's reminders stop.")
            .Accepts<RotateSecretRequest>("application/json", ManagementApi.AnyContentType)
            .Produces<RotatedSecretResource>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    /// <summary>The grace from the request's two durations, or the 400 that says which is wrong.</summary>
    public static (RotationGrace? Grace, IResult? Error) Grace(string? gracePeriod, string? retireAfterFirstUse)
    {
        var (period, periodError) = CredentialRotation.ParseDuration(gracePeriod, CredentialRotation.DefaultGracePeriod, "gracePeriod");
        var (afterUse, afterUseError) = CredentialRotation.ParseDuration(retireAfterFirstUse, null, "retireAfterFirstUse");
        if (periodError is not null || afterUseError is not null)
        {
            var errors = new Dictionary<string, string[]>();
            if (periodError is not null)
            {
                errors["gracePeriod"] = [periodError];
            }

            if (afterUseError is not null)
            {
                errors["retireAfterFirstUse"] = [afterUseError];
            }

            return (null, ApiProblems.Invalid(errors));
        }

        return (new RotationGrace(period!.Value, afterUse), null);
    }

    /// <summary>For <c>POST …/keys</c>: the credential named by <c>replaces</c> with its grace, none without it, or the 400.</summary>
    public static (CredentialReplacement? Replacement, IResult? Error) Replacement(Application application, int? replaces, string? gracePeriod,
        string? retireAfterFirstUse)
    {
        if (replaces is null)
        {
            return gracePeriod is null && retireAfterFirstUse is null
                ? (null, null)
                : (null, ApiProblems.Invalid(new Dictionary<string, string[]> { ["replaces"] = ["gracePeriod and retireAfterFirstUse need replaces: the id of the credential the new one replaces."] }));
        }

        ClientCredential? replaced = application.Secrets.FirstOrDefault(s => s.Id == replaces) ?? (ClientCredential?)application.Keys.FirstOrDefault(k => k.Id == replaces);
        if (replaced is null)
        {
            return (null, ApiProblems.Invalid(new Dictionary<string, string[]> { ["replaces"] = [$"The application has no secret or key with id {replaces}."] }));
        }

        var (grace, error) = Grace(gracePeriod, retireAfterFirstUse);
        return grace is null ? (null, error) : (new CredentialReplacement(replaced, grace), null);
    }

    /// <summary>A creation's refusal: the rotated credential's state is a conflict (409), anything else invalid input (400).</summary>
    public static IResult Problem(IReadOnlyDictionary<string, string> errors) =>
        errors.TryGetValue(CredentialRotation.ReplacesField, out var conflict) && errors.Count == 1
            ? ApiProblems.Conflict(conflict)
            : ApiProblems.Invalid(errors.ToDictionary(e => JsonNamingPolicy.CamelCase.ConvertName(e.Key), e => new[] { e.Value }));

    private static async Task<IResult> RotateSecretAsync(string clientId, string id, ApiCaller caller, HttpContext context,
        CredentialPortalDbContext db, SecretManagement secrets, TimeProvider time)
    {
        if (await ManagementApiHandlers.FindAsync(db, context, caller, clientId) is not { } application)
        {
            return ApiProblems.ApplicationNotFound(clientId);
        }

        if (ManagementApiHandlers.FindSecret(application, id) is not { } old)
        {
            return ApiProblems.SecretNotFound(clientId, id);
        }

        if (!ApplicationETag.IfMatchAllows(context.Request, ApplicationETag.For(application)))
        {
            return ApiProblems.PreconditionFailed();
        }

        // No body at all means every default: one call with nothing but the URL rotates.
        var request = new RotateSecretRequest();
        if (context.Request.ContentLength is not 0 && (context.Request.ContentLength is not null || context.Request.ContentType is not null))
        {
            var (read, readError) = await ManagementApiHandlers.ReadJsonAsync<RotateSecretRequest>(context.Request);
            if (readError is not null)
            {
                return readError;
            }

            request = read!;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var expiresAt = CredentialExpiryPolicy.ExpiresAtFor(CredentialExpiryPolicy.DefaultExpiryDate(now));
        if (request.ExpiresAt is not null
            && ManagementApiHandlers.ParseExpiry(CredentialKind.Secret, request.ExpiresAt, now, out expiresAt) is { } expiryError)
        {
            return ApiProblems.Invalid(new Dictionary<string, string[]> { ["expiresAt"] = [expiryError] });
        }

        var (grace, graceError) = Grace(request.GracePeriod, request.RetireAfterFirstUse);
        if (grace is null)
        {
            return graceError!;
        }

        FieldResult<CreatedSecret> result;
        try
        {
            result = await secrets.CreateAsync(application, request.Name ?? old.Name, expiresAt, caller.Actor,
                new CredentialReplacement(old, grace), context.RequestAborted);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.PreconditionFailed();
        }

        if (result.Value is not { } created)
        {
            return Problem(result.Errors);
        }

        context.Response.Headers.ETag = ApplicationETag.For(application);
        context.Response.Headers.Pragma = "no-cache";
        var secret = SecretResource.From(created.Secret, now);
        return Results.Created($"/api/v1/applications/{Uri.EscapeDataString(application.ClientId)}/secrets/{secret.Id}",
            new RotatedSecretResource(secret.Id, secret.Name, secret.Hint, secret.CreatedAt, secret.CreatedBy, secret.ExpiresAt,
                secret.DaysLeft, secret.Status, secret.DisabledAt, secret.LastUsedAt, application.ClientId, created.Value,
                SecretResource.From(old, now)));
    }
}

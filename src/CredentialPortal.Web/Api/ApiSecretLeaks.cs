using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;

namespace CredentialPortal.Web.Api;

/// <summary><c>POST /applications/{clientId}/secrets/{id}/leaked</c>: a secret reported as found in public, through the API.</summary>
internal static class ApiSecretLeaks
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/applications/{clientId}/secrets/{id}/leaked", ReportAsync)
            .WithName("ReportSecretLeaked")
            .WithSummary("Report a secret as found in public: the same response as a secret-scanning alert")
            .WithDescription("Under SecretScanning:OnLeak Disable (the default) the secret is disabled at once, even the application's " +
                "last active credential; its credential managers and notification addresses are emailed where it was found. " +
                "A secret already reported, disabled or expired is left as it is (200 with its unchanged state).")
            .Accepts<ReportLeakRequest>("application/json", ManagementApi.AnyContentType)
            .Produces<SecretResource>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    private static async Task<IResult> ReportAsync(string clientId, string id, ApiCaller caller, HttpContext context,
        CredentialPortalDbContext db, SecretLeaks leaks, TimeProvider time)
    {
        if (await ManagementApiHandlers.FindAsync(db, context, caller, clientId) is not { } application)
        {
            return ApiProblems.ApplicationNotFound(clientId);
        }

        if (ManagementApiHandlers.FindCredential(application.Secrets, id) is not { } secret)
        {
            return ApiProblems.SecretNotFound(clientId, id);
        }

        if (!ApplicationETag.IfMatchAllows(context.Request, ApplicationETag.For(application)))
        {
            return ApiProblems.PreconditionFailed();
        }

        var (request, readError) = await ManagementApiHandlers.ReadJsonAsync<ReportLeakRequest>(context.Request);
        if (readError is not null)
        {
            return readError;
        }

        var (location, error) = SecretLeaks.ValidateLocation(request!.Location);
        if (error is not null)
        {
            return ApiProblems.Invalid(new Dictionary<string, string[]> { ["location"] = [error] });
        }

        // A change gives the application a new version (its ETag), as every credential change through the API does.
        var version = application.Version;
        application.Version = Guid.NewGuid();
        if (await leaks.ReportAsync(application, secret, location!, caller.Actor, context.RequestAborted) == LeakOutcome.AlreadyHandled)
        {
            application.Version = version;
        }

        context.Response.Headers.ETag = ApplicationETag.For(application);
        return Results.Ok(SecretResource.From(secret, time.GetUtcNow().UtcDateTime));
    }
}

using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Api;

internal enum CredentialChange
{
    Disable,
    Enable,
    Delete,
}

/// <summary>Disable, enable and delete of a secret or key through the API: If-Match, Core's last-credential rule (409), the answer.</summary>
internal static class ApiCredentialChanges
{
    /// <summary>
    /// Maps <c>POST {collection}/{id}/disable</c>, <c>POST {collection}/{id}/enable</c> and <c>DELETE {collection}/{id}</c>
    /// under an application for one kind of credential (<paramref name="name"/>: "Secret" or "Key").
    /// </summary>
    public static void Map<TCredential, TResource>(RouteGroupBuilder api, string collection, string name,
        Func<Application, IEnumerable<TCredential>> credentials, Func<TCredential, DateTime, TResource> resource, Func<string, string, IResult> notFound)
        where TCredential : ClientCredential
    {
        var noun = name.ToLowerInvariant();
        Delegate Handler(CredentialChange change) => async (string clientId, string id, ApiCaller caller, HttpContext context,
            CredentialPortalDbContext db, CredentialLifecycle lifecycle, TimeProvider time) =>
        {
            if (await ManagementApiHandlers.FindAsync(db, context, caller, clientId) is not { } application)
            {
                return ApiProblems.ApplicationNotFound(clientId);
            }

            var credential = ManagementApiHandlers.FindCredential(credentials(application), id);
            return credential is null
                ? notFound(clientId, id)
                : await ApplyAsync(application, credential, caller, context, lifecycle, change,
                    () => resource(credential, time.GetUtcNow().UtcDateTime)!);
        };

        var path = $"/applications/{{clientId}}/{collection}/{{id}}";
        api.MapPost(path + "/disable", Handler(CredentialChange.Disable))
            .WithName("Disable" + name)
            .WithSummary($"Disable a {noun}: it obtains no tokens until enabled again")
            .WithDescription("A self-rotating application may not disable its own last active credential (409).")
            .Produces<TResource>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesChangeProblems();
        api.MapPost(path + "/enable", Handler(CredentialChange.Enable))
            .WithName("Enable" + name)
            .WithSummary($"Enable a disabled {noun}")
            .Produces<TResource>()
            .ProducesChangeProblems();
        api.MapDelete(path, Handler(CredentialChange.Delete))
            .WithName("Delete" + name)
            .WithSummary($"Delete a {noun} for good")
            .WithDescription("A self-rotating application may not delete its own last active credential (409).")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesChangeProblems();
    }

    private static RouteHandlerBuilder ProducesChangeProblems(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed);

    public static async Task<IResult> ApplyAsync(Application application, ClientCredential credential, ApiCaller caller, HttpContext context,
        CredentialLifecycle lifecycle, CredentialChange change, Func<object> resource)
    {
        if (!ApplicationETag.IfMatchAllows(context.Request, ApplicationETag.For(application)))
        {
            return ApiProblems.PreconditionFailed();
        }

        // Core refuses to remove the last active credential unless confirmed. A caller managing itself never confirms:
        // it authenticates with these credentials, and only a person in the portal could repair a lock-out. An
        // administrators' automation client acting on another application makes the administrators' decision.
        var confirmed = application.Id != caller.ApplicationId;
        var cancellationToken = context.RequestAborted;
        var applicationVersion = application.Version;
        application.Version = Guid.NewGuid();
        CredentialChangeOutcome outcome;
        try
        {
            outcome = change switch
            {
                CredentialChange.Disable => await lifecycle.DisableAsync(application, credential, caller.Actor, confirmed, cancellationToken),
                CredentialChange.Enable => await lifecycle.EnableAsync(application, credential, caller.Actor, cancellationToken),
                _ => await lifecycle.DeleteAsync(application, credential, caller.Actor, confirmed, cancellationToken),
            };
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.PreconditionFailed();
        }

        if (outcome != CredentialChangeOutcome.Changed)
        {
            application.Version = applicationVersion;
        }

        if (outcome == CredentialChangeOutcome.LastActiveCredential)
        {
            var verb = change == CredentialChange.Delete ? "delete" : "disable";
            return ApiProblems.Conflict(
                $"{credential.Kind.Words().Label} {credential.Id} is the only active {credential.Noun} of the calling " +
                $"application; you may not {verb} it, or the application could no longer obtain tokens (its other secrets and keys are " +
                "disabled, expired or not allowed by its policy). Create a new secret first, or add a key.");
        }

        context.Response.Headers.ETag = ApplicationETag.For(application);
        return change == CredentialChange.Delete ? Results.NoContent() : Results.Ok(resource());
    }
}

using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Secrets;
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
                $"{(credential.Kind == CredentialKind.Key ? "Key" : "Secret")} {credential.Id} is the only active {credential.Noun} of the calling " +
                $"application; you may not {verb} it, or the application could no longer obtain tokens (its other secrets and keys are " +
                "disabled, expired or not allowed by its policy). Create a new secret first, or add a key.");
        }

        context.Response.Headers.ETag = ApplicationETag.For(application);
        return change == CredentialChange.Delete ? Results.NoContent() : Results.Ok(resource());
    }
}

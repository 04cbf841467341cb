using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.TokenService;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Web.Api;

/// <summary>
/// The authenticated caller of the management API: an application allowed to self-rotate (manages only itself) or an
/// administrators' automation client (manages every application).
/// </summary>
internal sealed record ApiCaller(string ClientId, int ApplicationId, bool IsAdministrator, AuditActor Actor)
{
    private static readonly object ItemKey = new();

    public bool MayManage(int applicationId) => IsAdministrator || applicationId == ApplicationId;

    public static ApiCaller Of(HttpContext context) => (ApiCaller)context.Items[ItemKey]!;

    /// <summary>
    /// Endpoint filter: only a valid bearer token of ours with a management scope gets through. The portal's session
    /// cookie plays no part, and the application's flags are read from the store on every call, so an administrator's
    /// withdrawal applies at once rather than when the token expires.
    /// </summary>
    public static async ValueTask<object?> AuthenticateAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        context.Response.Headers.CacheControl = "no-store";
        var validator = context.RequestServices.GetRequiredService<AccessTokenValidator>();
        var (status, token) = await validator.ValidateRequestAsync(context.Request);
        if (token is null)
        {
            return ApiProblems.Unauthorized(context, status);
        }

        var wantsAdmin = token.Scopes.Contains(TokenScopes.CredentialsAdmin);
        var wantsSelf = token.Scopes.Contains(TokenScopes.CredentialsSelf);
        if (!wantsAdmin && !wantsSelf)
        {
            return ApiProblems.Forbidden(context,
                $"The access token carries neither the scope '{TokenScopes.CredentialsSelf}' nor '{TokenScopes.CredentialsAdmin}'. " +
                "Request a token with one of them; an administrator must allow the application to use the management API.");
        }

        var db = context.RequestServices.GetRequiredService<CredentialPortalDbContext>();
        var application = await db.Applications.AsNoTracking()
            .Where(a => a.ClientId == token.ClientId)
            .Select(a => new { a.Id, a.IsActive, a.AllowSelfRotation, a.IsAdminAutomationClient })
            .SingleOrDefaultAsync(context.RequestAborted);
        if (application is null || !application.IsActive)
        {
            return ApiProblems.Forbidden(context, "The calling application is inactive or no longer exists.");
        }

        var isAdministrator = wantsAdmin && application.IsAdminAutomationClient;
        if (!isAdministrator && !(wantsSelf && application.AllowSelfRotation))
        {
            return ApiProblems.Forbidden(context,
                "An administrator no longer allows this application to use the management API with the scope its token carries.");
        }

        var actor = new AuditActor(token.ClientId, RemoteAddress: context.Connection.RemoteIpAddress?.ToString());
        context.Items[ItemKey] = new ApiCaller(token.ClientId, application.Id, isAdministrator, actor);
        return await next(invocation);
    }
}

using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.TokenService;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Api;

/// <summary>
/// Who may use the management API: a bearer token of ours (never the portal's cookie) issued
/// for the management audience (<see cref="TokenServiceOptions.ManagementAudience"/>) and carrying
/// <c>credentials.admin</c> of an administrators' automation client, or <c>credentials.self</c> of an application
/// allowed to self-rotate. The application's flags are read from the store on every call (once per request: the
/// policy and the handler's <see cref="ApiCaller"/> share that reading), so an administrator's withdrawal applies at
/// once rather than when the token expires.
/// </summary>
internal sealed class ManagementApiAccess(CredentialPortalDbContext db, IOptions<TokenServiceOptions> tokenService)
{
    public const string Policy = "ManagementApi";

    private Task<(ApiCaller? Caller, string Refusal)>? _decision;

    public static void AddTo(IServiceCollection services)
    {
        services.AddScoped<ManagementApiAccess>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ForbiddenAsProblem>();
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(AccessTokenAuthentication.Scheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new Requirement()));
    }

    public Task<(ApiCaller? Caller, string Refusal)> DecideAsync(HttpContext context) => _decision ??= DecideOnceAsync(context);

    private async Task<(ApiCaller? Caller, string Refusal)> DecideOnceAsync(HttpContext context)
    {
        // A token for a partner API never opens the management API: it must be issued for the management audience.
        var audience = TokenIssuer.ManagementAudience(tokenService.Value, context.Request);
        if (!context.User.FindAll("aud").Any(a => a.Value == audience))
        {
            return (null, $"The access token is not issued for the management API (audience '{audience}'). " +
                $"Request a token with the scope '{TokenScopes.CredentialsSelf}' or '{TokenScopes.CredentialsAdmin}' alone.");
        }

        var clientId = context.User.FindFirst(AccessTokenAuthentication.ClientIdClaim)!.Value;
        var scopes = AccessTokenAuthentication.ScopesOf(context.User);
        var wantsAdmin = scopes.Contains(TokenScopes.CredentialsAdmin);
        var wantsSelf = scopes.Contains(TokenScopes.CredentialsSelf);
        if (!wantsAdmin && !wantsSelf)
        {
            return (null, $"The access token carries neither the scope '{TokenScopes.CredentialsSelf}' nor '{TokenScopes.CredentialsAdmin}'. " +
                "Request a token with one of them; an administrator must allow the application to use the management API.");
        }

        var application = await db.Applications.AsNoTracking()
            .Where(a => a.ClientId == clientId)
            .Select(a => new { a.Id, a.IsActive, a.AllowSelfRotation, a.IsAdminAutomationClient })
            .SingleOrDefaultAsync(context.RequestAborted);
        if (application is null || !application.IsActive)
        {
            return (null, "The calling application is inactive or no longer exists.");
        }

        var isAdministrator = wantsAdmin && application.IsAdminAutomationClient;
        if (!isAdministrator && !(wantsSelf && application.AllowSelfRotation))
        {
            return (null, "An administrator no longer allows this application to use the management API with the scope its token carries.");
        }

        var actor = new AuditActor(clientId, RemoteAddress: context.Connection.RemoteIpAddress?.ToString());
        return (new ApiCaller(clientId, application.Id, isAdministrator, actor), "");
    }

    /// <summary>Handles itself (ASP.NET Core's pass-through handler), so it needs no registration of its own.</summary>
    private sealed class Requirement : AuthorizationHandler<Requirement>, IAuthorizationRequirement
    {
        protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, Requirement requirement)
        {
            // Without a valid token the policy challenges (401) before any of this matters.
            if (context.Resource is not HttpContext http || context.User.Identity?.IsAuthenticated != true)
            {
                return;
            }

            var (caller, refusal) = await http.RequestServices.GetRequiredService<ManagementApiAccess>().DecideAsync(http);
            if (caller is null)
            {
                context.Fail(new AuthorizationFailureReason(this, refusal));
            }
            else
            {
                context.Succeed(requirement);
            }
        }
    }

    /// <summary>The management API's 403 is problem details saying why; every other outcome is ASP.NET Core's own.</summary>
    private sealed class ForbiddenAsProblem : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            if (authorizeResult.Forbidden && policy.Requirements.Any(r => r is Requirement))
            {
                var reasons = authorizeResult.AuthorizationFailure?.FailureReasons.Select(r => r.Message) ?? [];
                return ApiProblems.Forbidden(context, string.Join(" ", reasons)).ExecuteAsync(context);
            }

            return _default.HandleAsync(next, context, policy, authorizeResult);
        }
    }
}

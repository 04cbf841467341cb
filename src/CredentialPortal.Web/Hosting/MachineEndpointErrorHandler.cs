using CredentialPortal.TokenService.Endpoints;
using Microsoft.AspNetCore.Diagnostics;

namespace CredentialPortal.Web.Hosting;

/// <summary>
/// A failure of ours (a bug, a row the code cannot read) on an endpoint for programs gets a 500 its caller can parse:
/// RFC 6749's <c>server_error</c> from the token and introspection endpoints, RFC 9457 problem details from the others,
/// instead of the portal's HTML error page. Runs after <see cref="DatabaseOutageHandler"/>, which answers outages with
/// 503; the exception middleware still logs the failure with its stack trace.
/// </summary>
public sealed class MachineEndpointErrorHandler(IProblemDetailsService problems) : IExceptionHandler
{
    private static readonly MachineErrorAnswer Answer = new(StatusCodes.Status500InternalServerError, OAuthErrors.ServerError,
        "the server failed to answer this request; the failure is logged for the operator",
        "Internal Server Error", "The server failed to answer this request; the failure is logged for the operator.");

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var path = httpContext.Features.Get<IExceptionHandlerFeature>()?.Path ?? httpContext.Request.Path.Value ?? "";
        if (!PortalHost.IsMachineEndpoint(path))
        {
            return false;
        }

        return await Answer.WriteAsync(httpContext, path, problems);
    }
}

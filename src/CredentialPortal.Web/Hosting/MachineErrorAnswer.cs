using System.Globalization;
using CredentialPortal.TokenService.Endpoints;
using Microsoft.AspNetCore.Mvc;

namespace CredentialPortal.Web.Hosting;

/// <summary>
/// An error answer in the language of the endpoint for programs that met it: the token and introspection endpoints an
/// RFC 6749 error object, every other one (the management API, <c>/connectivity</c>) RFC 9457 problem details.
/// One home for that choice, shared by <see cref="DatabaseOutageHandler"/> and <see cref="MachineEndpointErrorHandler"/>.
/// </summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="OAuthError">The OAuth <c>error</c> code, for the OAuth endpoints.</param>
/// <param name="OAuthDescription">Its <c>error_description</c>.</param>
/// <param name="Title">The problem's title, for the other endpoints.</param>
/// <param name="Detail">The problem's detail.</param>
/// <param name="RetryAfter">Sent as <c>Retry-After</c> when set.</param>
public sealed record MachineErrorAnswer(int Status, string OAuthError, string OAuthDescription, string Title, string Detail,
    TimeSpan? RetryAfter = null)
{
    public async Task<bool> WriteAsync(HttpContext context, string path, IProblemDetailsService problems)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(problems);
        if (path.Equals(TokenEndpoint.Path, StringComparison.OrdinalIgnoreCase)
            || path.Equals(IntrospectionEndpoint.Path, StringComparison.OrdinalIgnoreCase))
        {
            await OAuthResponses.WriteErrorAsync(context, Status, OAuthError, OAuthDescription, retryAfter: RetryAfter);
            return true;
        }

        context.Response.StatusCode = Status;
        if (RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = Status, Title = Title, Detail = Detail },
        });
    }
}

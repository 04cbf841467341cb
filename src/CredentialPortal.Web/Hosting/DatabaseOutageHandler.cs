using System.Globalization;
using CredentialPortal.Core.Data;
using CredentialPortal.TokenService.Endpoints;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CredentialPortal.Web.Hosting;

/// <summary>
/// Answers a database outage (<see cref="DatabaseOutage.IsOutage"/>) with 503 and <c>Retry-After</c> in the language
/// of the endpoint that met it: the token and introspection endpoints an RFC 6749 <c>temporarily_unavailable</c> error, every other
/// non-page endpoint (the management API, <c>/connectivity</c>) RFC 9457 problem details. A portal page is left to the
/// <c>/error</c> page, which the exception handler re-executes with status 503 (see <c>PortalHost</c>)
/// and which then explains the outage. One warning line per request, without a stack trace: an outage is an
/// operational event, not a bug.
/// </summary>
public sealed partial class DatabaseOutageHandler(IProblemDetailsService problems, ILogger<DatabaseOutageHandler> logger)
    : IExceptionHandler
{
    public const string ErrorPath = "/error";

    private static readonly MachineErrorAnswer Answer = new(StatusCodes.Status503ServiceUnavailable, OAuthErrors.TemporarilyUnavailable,
        "the credential store is unreachable; retry after the Retry-After interval",
        "Service Unavailable", "The credential store is unreachable. Retry after the number of seconds in the Retry-After header.",
        DatabaseOutage.RetryAfter);

    /// <summary>The <c>Retry-After</c> value, in whole seconds.</summary>
    public static string RetryAfterSeconds { get; } =
        ((int)DatabaseOutage.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (!DatabaseOutage.IsOutage(exception))
        {
            return false;
        }

        // The middleware has already pointed Request.Path at the error page; the feature keeps what was asked for.
        var feature = httpContext.Features.Get<IExceptionHandlerFeature>();
        var path = feature?.Path ?? httpContext.Request.Path.Value ?? "";
        LogOutage(logger, httpContext.Request.Method, path, exception.GetBaseException().Message);
        // A portal page is left to the error page (see the class remarks).
        return feature?.Endpoint?.Metadata.GetMetadata<PageActionDescriptor>() is null
            && await Answer.WriteAsync(httpContext, path, problems);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database is unreachable; {Method} {Path} answered 503 ({Reason}).")]
    private static partial void LogOutage(ILogger logger, string method, string path, string reason);
}

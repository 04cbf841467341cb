namespace CredentialPortal.Web.Account;

/// <summary>
/// Security headers on every response, pages and JSON alike. The content security policy allows only this origin's
/// scripts, styles and images (no inline script or style), no plugins, no base-URI changes and no framing.
/// They are added when the response starts, not when the request comes in: the exception handler clears the headers
/// before it renders the error page, and that page needs them as much as any other.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    public static IApplicationBuilder UsePortalSecurityHeaders(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(next => context =>
        {
            context.Response.OnStarting(AddHeaders, context.Response);
            return next(context);
        });
    }

    private static Task AddHeaders(object state)
    {
        var headers = ((HttpResponse)state).Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.XFrameOptions = "DENY";
        return Task.CompletedTask;
    }
}

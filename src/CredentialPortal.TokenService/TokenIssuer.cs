using Microsoft.AspNetCore.Http;

namespace CredentialPortal.TokenService;

/// <summary>The <c>iss</c> of our tokens and the management API's audience, which derives from it.</summary>
public static class TokenIssuer
{
    public const string ManagementAudienceSuffix = "/api/v1";

    /// <summary><see cref="TokenServiceOptions.Issuer"/>, or the address the request came to.</summary>
    public static string Resolve(TokenServiceOptions options, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(request);
        return options.Issuer is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}";
    }

    /// <summary><see cref="TokenServiceOptions.ManagementAudience"/>, or the issuer followed by <c>/api/v1</c>.</summary>
    public static string ManagementAudience(TokenServiceOptions options, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ManagementAudience is { Length: > 0 } configured
            ? configured
            : Resolve(options, request) + ManagementAudienceSuffix;
    }
}

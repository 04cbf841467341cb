using Microsoft.AspNetCore.Http;

namespace CredentialPortal.TokenService;

/// <summary>The <c>iss</c> of our tokens: <see cref="TokenServiceOptions.Issuer"/>, or the address the request came to.</summary>
public static class TokenIssuer
{
    public static string Resolve(TokenServiceOptions options, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(request);
        return options.Issuer is { Length: > 0 } configured
            ? configured.TrimEnd('/')
            : $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}";
    }
}

using CredentialPortal.TokenService.Requests;
using Microsoft.AspNetCore.Http;

namespace CredentialPortal.TokenService.ClientAuthentication;

/// <summary>
/// What a client presented to prove who it is, read by one <see cref="IClientAuthenticationMethod"/>. <c>UsedBasic</c>:
/// the credentials came in an HTTP Basic header, so a 401 answer carries a Basic challenge. A client secret is in
/// <c>Secret</c>; a client assertion (<c>private_key_jwt</c>) in <see cref="Assertion"/>, read but not yet validated.
/// </summary>
public sealed record PresentedCredentials(string ClientId, string Secret, string Method, bool UsedBasic)
{
    public Microsoft.IdentityModel.JsonWebTokens.JsonWebToken? Assertion { get; init; }
}

/// <summary>
/// One client authentication method of RFC 6749 §2.3 (its name as in discovery's
/// <c>token_endpoint_auth_methods_supported</c>). A new method is a new implementation, registered beside the others.
/// </summary>
public interface IClientAuthenticationMethod
{
    /// <summary>The method's name in discovery, e.g. <c>client_secret_basic</c>.</summary>
    string Name { get; }

    /// <summary>Whether the request uses this method (its header or parameters are present).</summary>
    bool IsUsedBy(HttpRequest request, OAuthForm form);

    /// <summary>Reads the credentials of a request that uses this method.</summary>
    (PresentedCredentials? Credentials, OAuthError? Error) Read(HttpRequest request, OAuthForm form);
}

/// <summary>Picks the one method a request uses: none or several is an error (RFC 6749 §2.3: one method per request).</summary>
public sealed class ClientCredentialReader(OAuthFormReader forms, IEnumerable<IClientAuthenticationMethod> methods)
{
    private readonly IClientAuthenticationMethod[] _methods = [.. methods];

    public IEnumerable<string> MethodNames => _methods.Select(m => m.Name);

    /// <summary>The start of every client's request (token, introspection): its form, and the credentials it presents.</summary>
    public async Task<(OAuthForm? Form, PresentedCredentials? Credentials, OAuthError? Error)> ReadAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (form, formError) = await forms.ReadAsync(context);
        if (form is null)
        {
            return (null, null, formError);
        }

        var (presented, credentialsError) = Read(context.Request, form);
        return (form, presented, credentialsError);
    }

    public (PresentedCredentials? Credentials, OAuthError? Error) Read(HttpRequest request, OAuthForm form)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers.Authorization.Count > 1)
        {
            return (null, OAuthError.InvalidRequest("send one Authorization header"));
        }

        IClientAuthenticationMethod? used = null;
        foreach (var method in _methods)
        {
            if (!method.IsUsedBy(request, form))
            {
                continue;
            }

            if (used is not null)
            {
                return (null, OAuthError.InvalidRequest(
                    $"use one client authentication method, not both {used.Name} and {method.Name}"));
            }

            used = method;
        }

        return used?.Read(request, form) ?? (null, OAuthError.InvalidClient(
            "client authentication is required: HTTP Basic, client_id and client_secret in the body, or a client_assertion (private_key_jwt)", basicChallenge: false));
    }
}

using System.Text;
using CredentialPortal.TokenService.Requests;
using Microsoft.AspNetCore.Http;

namespace CredentialPortal.TokenService.ClientAuthentication;

/// <summary><c>client_secret_basic</c>: the Authorization header (RFC 6749 §2.3.1).</summary>
public sealed class ClientSecretBasic : IClientAuthenticationMethod
{
    private const string Scheme = "Basic ";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public string Name => "client_secret_basic";

    // Any Authorization header is ours to judge: another scheme gets an answer saying only Basic is supported.
    public bool IsUsedBy(HttpRequest request, OAuthForm form) => request.Headers.Authorization.Count > 0;

    public (PresentedCredentials? Credentials, OAuthError? Error) Read(HttpRequest request, OAuthForm form)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(form);
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Fail(OAuthError.InvalidClient(
                "only HTTP Basic client authentication is supported in the Authorization header", basicChallenge: true));
        }

        var encoded = header.AsSpan(Scheme.Length).Trim();
        var decoded = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(encoded, decoded, out var length))
        {
            return Fail(OAuthError.InvalidRequest("the HTTP Basic credentials are not valid base64"));
        }

        string pair;
        try
        {
            pair = StrictUtf8.GetString(decoded, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return Fail(OAuthError.InvalidRequest("the HTTP Basic credentials are not valid UTF-8"));
        }

        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return Fail(OAuthError.InvalidRequest("the HTTP Basic credentials have no ':' between client_id and client_secret"));
        }

        // RFC 6749 §2.3.1: both parts are application/x-www-form-urlencoded before they are joined and encoded.
        var clientId = FormDecode(pair[..colon]);
        var secret = FormDecode(pair[(colon + 1)..]);
        if (clientId.Length == 0 || secret.Length == 0)
        {
            return Fail(OAuthError.InvalidClient("the HTTP Basic credentials lack a client_id or client_secret", basicChallenge: true));
        }

        if (form["client_id"] is { } bodyId && bodyId != clientId)
        {
            return Fail(OAuthError.InvalidRequest("client_id in the body differs from the one in the HTTP Basic credentials"));
        }

        return (new PresentedCredentials(clientId, secret, Name, UsedBasic: true), null);
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    private static (PresentedCredentials?, OAuthError?) Fail(OAuthError error) => (null, error);
}

/// <summary><c>client_secret_post</c>: <c>client_id</c> and <c>client_secret</c> in the form body (RFC 6749 §2.3.1).</summary>
public sealed class ClientSecretPost : IClientAuthenticationMethod
{
    public string Name => "client_secret_post";

    public bool IsUsedBy(HttpRequest request, OAuthForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        return form["client_secret"] is not null;
    }

    public (PresentedCredentials? Credentials, OAuthError? Error) Read(HttpRequest request, OAuthForm form)
    {
        ArgumentNullException.ThrowIfNull(form);
        return form["client_id"] is { Length: > 0 } clientId && form["client_secret"] is { Length: > 0 } secret
            ? (new PresentedCredentials(clientId, secret, Name, UsedBasic: false), null)
            : (null, OAuthError.InvalidClient("client_id and client_secret are both required in the body", basicChallenge: false));
    }
}

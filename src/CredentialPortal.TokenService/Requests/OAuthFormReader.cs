using CredentialPortal.Core;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace CredentialPortal.TokenService.Requests;

/// <summary>The form of a POST to an OAuth endpoint: each parameter at most once (RFC 6749 §3.2).</summary>
public sealed class OAuthForm(Dictionary<string, StringValues> fields)
{
    public string? this[string name] => fields.TryGetValue(name, out var values) ? values.ToString() : null;
}

/// <summary>
/// Reads an OAuth endpoint's request by hand (bounded by <see cref="TokenServiceOptions.MaxRequestBytes"/> and
/// <see cref="TokenServiceOptions.MaxRequestParameters"/>), outside model binding and antiforgery, so that every
/// malformed request gets an RFC 6749 §5.2 error rather than a framework page.
/// </summary>
public sealed class OAuthFormReader(IOptions<TokenServiceOptions> options)
{
    private const int MaxNameLength = 64;
    private readonly TokenServiceOptions _options = options.Value;

    public async Task<(OAuthForm? Form, OAuthError? Error)> ReadAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            return (null, new OAuthError(StatusCodes.Status405MethodNotAllowed, Endpoints.OAuthErrors.InvalidRequest,
                "this endpoint accepts POST only"));
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return (null, OAuthError.InvalidRequest("the request body must be application/x-www-form-urlencoded"));
        }

        if (request.ContentLength > _options.MaxRequestBytes)
        {
            return (null, OAuthError.InvalidRequest("the request body is too large"));
        }

        Dictionary<string, StringValues> fields;
        try
        {
            // The pipe reader parses the body from pooled buffers (ASP.NET Core's own form feature uses it).
            var reader = new FormPipeReader(request.BodyReader)
            {
                ValueCountLimit = _options.MaxRequestParameters,
                KeyLengthLimit = MaxNameLength,
                ValueLengthLimit = _options.MaxRequestBytes,
            };
            fields = await reader.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or DecoderFallbackException)
        {
            return (null, OAuthError.InvalidRequest("the request body is malformed or too large"));
        }

        foreach (var (name, values) in fields)
        {
            if (values.Count > 1)
            {
                return (null, OAuthError.InvalidRequest($"the parameter '{PlainText.Echo(name)}' is repeated"));
            }
        }

        return (new OAuthForm(fields), null);
    }
}

using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CredentialPortal.TokenService.Endpoints;

/// <summary>
/// The error codes of RFC 6749 §5.2, plus <c>slow_down</c> (RFC 8628 §3.5) for throttling and
/// <c>temporarily_unavailable</c> (RFC 6749 §4.1.2.1) when the store cannot be reached and <c>server_error</c>
/// (RFC 6749 §4.1.2.1) for a failure of ours.
/// </summary>
public static class OAuthErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string InvalidScope = "invalid_scope";
    public const string ServerError = "server_error";
    public const string SlowDown = "slow_down";
    public const string TemporarilyUnavailable = "temporarily_unavailable";
}

/// <summary>Writes the OAuth endpoints' responses: JSON, never cached unless asked (RFC 6749 §5.1).</summary>
public static class OAuthResponses
{
    public static Task WriteErrorAsync(HttpContext context, Requests.OAuthError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        if (error.DpopNonce is { } nonce)
        {
            context.Response.Headers[Dpop.DpopProofValidator.NonceHeaderName] = nonce;
        }

        return WriteErrorAsync(context, error.Status, error.Code, error.Description, error.BasicChallenge, error.RetryAfter);
    }

    public static Task WriteErrorAsync(HttpContext context, int status, string error, string description,
        bool basicChallenge = false, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = status;
        if (basicChallenge)
        {
            response.Headers.WWWAuthenticate = "Basic realm=\"token\", charset=\"UTF-8\"";
        }

        if (retryAfter is { } wait)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return WriteJsonAsync(context, writer =>
        {
            writer.WriteString("error", error);
            // error_description is a single line of printable ASCII (RFC 6749 §5.2).
            writer.WriteString("error_description", description.Replace('\r', ' ').Replace('\n', ' '));
        });
    }

    /// <summary>A JWT-style multi-valued claim such as <c>aud</c> (RFC 7519 §4.1.3): a string for one value, else an array.</summary>
    public static void WriteStringOrArray(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 1)
        {
            writer.WriteString(name, values[0]);
            return;
        }

        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    public static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> writeMembers, bool cacheable = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(writeMembers);
        var response = context.Response;
        response.ContentType = "application/json; charset=utf-8";
        if (!cacheable)
        {
            response.Headers.CacheControl = "no-store";
            response.Headers.Pragma = "no-cache";
        }

        await using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}

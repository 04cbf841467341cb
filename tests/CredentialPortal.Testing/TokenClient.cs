using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace CredentialPortal.Testing;

/// <summary>
/// A partner system asking <c>POST /connect/token</c> for a token (client_credentials), the one way every test does it:
/// client authentication by HTTP Basic (RFC 6749 §2.3.1) or in the form body.
/// </summary>
public static class TokenClient
{
    /// <summary>RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined with ':' and base64-encoded.</summary>
    public static AuthenticationHeaderValue Basic(string clientId, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(WebUtility.UrlEncode(clientId) + ":" + WebUtility.UrlEncode(secret))));

    /// <summary>The request; with <paramref name="dpopProof"/> in a <c>DPoP</c> header (RFC 9449 §5).</summary>
    public static async Task<HttpResponseMessage> RequestTokenAsync(HttpClient client, string clientId, string secret,
        bool basic = true, string? scope = null, string? dpopProof = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var fields = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        if (!basic)
        {
            fields.Add(new("client_id", clientId));
            fields.Add(new("client_secret", secret));
        }

        if (scope is not null)
        {
            fields.Add(new("scope", scope));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(fields) };
        if (basic)
        {
            request.Headers.Authorization = Basic(clientId, secret);
        }

        if (dpopProof is not null)
        {
            request.Headers.Add("DPoP", dpopProof);
        }

        return await client.SendAsync(request);
    }

    /// <summary>The access token; throws with the response body when the request did not succeed.</summary>
    public static async Task<string> GetTokenAsync(HttpClient client, string clientId, string secret, string? scope = null)
    {
        using var response = await RequestTokenAsync(client, clientId, secret, scope: scope);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"No token for {clientId}: {(int)response.StatusCode} {body}");
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }
}

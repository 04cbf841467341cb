using System.Net.Http.Headers;
using System.Text.Json;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Webhooks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.TokenService.Federation;

/// <summary>An issuer's documents could not be fetched or read; the message is for the operators' log.</summary>
public sealed class IssuerFetchException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Fetches a trusted issuer's signing keys: its OpenID Connect discovery document
/// (<c>/.well-known/openid-configuration</c>), whose <c>issuer</c> must be the issuer itself, then its <c>jwks_uri</c>.
/// Through the webhooks' <see cref="WebhookAddressGuard"/> (loopback, link-local and private addresses refused unless
/// <see cref="FederationOptions.AllowPrivateNetworks"/>), with no proxy, no redirects, a timeout and a size cap, because an
/// issuer's address is a URL an administrator typed and its documents are read by every instance.
/// </summary>
public sealed class IssuerDocuments : IDisposable
{
    private readonly HttpClient _http;
    private readonly FederationOptions _options;
    private readonly bool _httpAllowed;

    public IssuerDocuments(IOptions<FederationOptions> options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        _options = options.Value;
        _httpAllowed = _options.AllowHttp || environment.IsDevelopment();
        var allowPrivate = _options.AllowPrivateNetworks;
        var timeout = TimeSpan.FromSeconds(_options.FetchTimeoutSeconds);
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = (context, cancellationToken) => WebhookAddressGuard.ConnectAsync(context.DnsEndPoint, allowPrivate, cancellationToken),
        };
        _http = new HttpClient(handler) { Timeout = timeout };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("CredentialPortal-Federation/1.0");
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    /// <summary>The issuer's asymmetric signing keys (RSA and EC), each with its <c>kid</c>.</summary>
    public async Task<IReadOnlyList<SecurityKey>> FetchKeysAsync(string issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var metadataUri = Address(issuer.TrimEnd('/') + "/.well-known/openid-configuration");
        string jwksAddress;
        using (var metadata = JsonDocument.Parse(await GetAsync(metadataUri, cancellationToken)))
        {
            var root = metadata.RootElement;
            // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("issuer", out var named) || named.ValueKind != JsonValueKind.String
                || named.GetString() != issuer)
            {
                throw new IssuerFetchException($"{metadataUri} does not name {issuer} as its issuer.");
            }

            if (!root.TryGetProperty("jwks_uri", out var jwks) || jwks.ValueKind != JsonValueKind.String)
            {
                throw new IssuerFetchException($"{metadataUri} has no jwks_uri.");
            }

            jwksAddress = jwks.GetString()!;
        }

        var set = new JsonWebKeySet(await GetAsync(Address(jwksAddress), cancellationToken));
        List<SecurityKey> keys = [];
        foreach (var jwk in set.Keys)
        {
            // Never a symmetric ("oct") key: that would make a published value a shared secret.
            if ((jwk.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve)
                && (jwk.Use is null || jwk.Use == JsonWebKeyUseNames.Sig)
                && JsonWebKeyConverter.TryConvertToSecurityKey(jwk, out var key))
            {
                key.KeyId = jwk.Kid;
                keys.Add(key);
            }
        }

        return keys.Count > 0 ? keys : throw new IssuerFetchException($"{jwksAddress} holds no RSA or EC signing key.");
    }

    public void Dispose() => _http.Dispose();

    private Uri Address(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && _httpAllowed))
            ? uri
            : throw new IssuerFetchException($"{address} is not an https:// address (TokenService:Federation:AllowHttp allows http:// on closed test networks).");

    /// <summary>The body of a 200 answer, read up to <see cref="FederationOptions.MaxDocumentBytes"/>.</summary>
    private async Task<string> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new IssuerFetchException($"{uri} answered {(int)response.StatusCode} (redirects are not followed).");
            }

            if (response.Content.Headers.ContentLength > _options.MaxDocumentBytes)
            {
                throw new IssuerFetchException($"{uri} is larger than {_options.MaxDocumentBytes} bytes.");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[_options.MaxDocumentBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }

            return length > _options.MaxDocumentBytes
                ? throw new IssuerFetchException($"{uri} is larger than {_options.MaxDocumentBytes} bytes.")
                : System.Text.Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or WebhookAddressRefusedException or System.Net.Sockets.SocketException)
        {
            throw new IssuerFetchException($"{uri} could not be fetched: {e.Message}", e);
        }
    }
}

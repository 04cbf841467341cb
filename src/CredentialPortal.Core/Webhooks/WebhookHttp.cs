using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Webhooks;

/// <summary>
/// The HTTP clients webhooks go out on: no proxy, no redirects, no cookies, <see cref="WebhookOptions.Timeout"/>, and the
/// <see cref="WebhookAddressGuard"/> in the socket connect. Two clients, because pooled connections are shared per
/// host and port: one that an endpoint allowed onto private networks opened must never serve one that is not.
/// </summary>
public sealed class WebhookHttp : IDisposable
{
    private readonly HttpClient _public;
    private readonly HttpClient _private;
    private readonly WebhookOptions _options;
    private readonly bool _httpAllowed;

    public WebhookHttp(IOptions<WebhookOptions> options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        _options = options.Value;
        _httpAllowed = _options.AllowHttp || environment.IsDevelopment();
        _public = Create(_options, allowPrivateNetwork: _options.AllowPrivateNetworks);
        _private = Create(_options, allowPrivateNetwork: true);
    }

    /// <summary>Why webhooks may not go to <paramref name="url"/> (null when they may), for the form and for each send.</summary>
    public string? RefusalOf(string? url, bool allowPrivateNetwork)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "Enter a full https:// address.";
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !_httpAllowed)
        {
            return "Use an https:// address: webhooks are not sent over plain HTTP.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "Leave the user name and password out of the address.";
        }

        if (!allowPrivateNetwork && !_options.AllowPrivateNetworks
            && System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && WebhookAddressGuard.IsForbidden(address))
        {
            return $"{address} is a loopback, link-local or private address; webhooks go to public addresses only.";
        }

        return null;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, bool allowPrivateNetwork, CancellationToken cancellationToken) =>
        (allowPrivateNetwork ? _private : _public).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    public void Dispose()
    {
        _public.Dispose();
        _private.Dispose();
    }

    private static HttpClient Create(WebhookOptions options, bool allowPrivateNetwork)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = (context, cancellationToken) => WebhookAddressGuard.ConnectAsync(context.DnsEndPoint, allowPrivateNetwork, cancellationToken),
        };
        var client = new HttpClient(handler) { Timeout = options.Timeout };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("CredentialPortal-Webhooks/1.0");
        return client;
    }
}

using System.Globalization;
using System.Net;
using CredentialPortal.Core;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Hosting;

/// <summary>
/// The portal's public address, for every link the product builds (emails, the printed sign-in address, the
/// "Connect your system" endpoints): <c>Portal:BaseUrl</c> when set (required outside Development), otherwise the
/// first address the server actually listens on, so that <c>--urls http://127.0.0.1:5391</c> gives working links (as
/// <c>http://localhost:5391</c>: passkeys need a name, browsers refuse them on an IP address). Core reaches it as
/// <see cref="IPortalLinks"/>: the server and the page routes are the web host's.
/// </summary>
public sealed partial class PortalAddress(IOptions<PortalOptions> options, ILogger<PortalAddress> logger, IServer? server = null) : IPortalLinks
{
    private int _mismatchLogged;
    private Uri? _links;

    /// <summary>The address without a trailing slash, e.g. <c>https://credentials.example.org</c>.</summary>
    /// <exception cref="InvalidOperationException">Nothing is configured and the server does not listen yet.</exception>
    public string BaseUrl => (Configured ?? Listening()
        ?? throw new InvalidOperationException("Portal:BaseUrl is not set and the server does not listen yet.")).TrimEnd('/');

    /// <summary>The Manage API Credentials page, where emails send credential managers.</summary>
    public const string CredentialsPath = "/manage-api-credentials";

    /// <summary>The absolute address of the Manage API Credentials page.</summary>
    public string CredentialsPage => CredentialsPageOf(BaseUrl);

    /// <summary>The Manage API Credentials page under a given base address (with or without a trailing slash).</summary>
    public static string CredentialsPageOf(string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return baseUrl.TrimEnd('/') + CredentialsPath;
    }

    public string WebhookEndpointPage(int endpointId) => string.Create(CultureInfo.InvariantCulture, $"{BaseUrl}/webhooks/{endpointId}");

    /// <summary>Portal:BaseUrl is set, so <see cref="BaseUrl"/> is known before the server listens.</summary>
    public bool IsConfigured => Configured is not null;

    private string? Configured => string.IsNullOrWhiteSpace(options.Value.BaseUrl) ? null : options.Value.BaseUrl;

    /// <summary>
    /// Logs once per process when a request reaches the portal under another host than the links name: the links in
    /// emails then lead somewhere else than the address people use.
    /// </summary>
    public void CheckRequestHost(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Volatile.Read(ref _mismatchLogged) != 0 || !request.Host.HasValue)
        {
            return;
        }

        // Parsed once: this runs on every request, the token endpoint's included.
        if (_links is null && Uri.TryCreate(Configured ?? Listening(), UriKind.Absolute, out var links))
        {
            _links = links;
        }

        if (_links is null || string.Equals(_links.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || Interlocked.Exchange(ref _mismatchLogged, 1) != 0)
        {
            return;
        }

        LogMismatch(request.Host.Value, _links.GetLeftPart(UriPartial.Authority));
    }

    /// <summary>
    /// Why passkeys cannot work at the portal's address (<paramref name="requestHost"/> when no address is configured),
    /// with what to do instead, or null when they can: WebAuthn takes a host name as the relying party, never an IP
    /// address, and a browser's own error ("This is an invalid domain") says nothing useful.
    /// </summary>
    public string? PasskeysUnavailableAt(string requestHost)
    {
        var host = ConfiguredHost ?? requestHost;
        if (AsIpAddress(host) is not { } ip)
        {
            return null;
        }

        return IPAddress.IsLoopback(ip)
            ? $"Passkeys do not work at an IP address such as {host}. Open the portal at localhost instead (the same port), or have Portal:BaseUrl set to a host name."
            : $"Passkeys do not work at an IP address such as {host}. Ask the portal's operator to set Portal:BaseUrl to the portal's host name.";
    }

    /// <summary>Warns at start when the configured address is an IP address, on which no browser lets passkeys work.</summary>
    public void WarnIfPasskeysCannotWork()
    {
        if (ConfiguredHost is { } host && AsIpAddress(host) is not null)
        {
            LogIpAddress(Configured!);
        }
    }

    private string? ConfiguredHost => Uri.TryCreate(Configured, UriKind.Absolute, out var uri) ? uri.Host : null;

    /// <summary>The host as an IP address (an IPv6 one with or without brackets), or null for a name.</summary>
    private static IPAddress? AsIpAddress(string host) => IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip : null;

    /// <summary>
    /// The first address of the running server, with a wildcard host (<c>0.0.0.0</c>, <c>[::]</c>, <c>+</c>, <c>*</c>)
    /// or a loopback one (<c>127.0.0.1</c>, <c>[::1]</c>) read as <c>localhost</c>: a link cannot name "every interface",
    /// and passkeys need a name.
    /// </summary>
    private string? Listening()
    {
        var first = server?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (first is null)
        {
            return null;
        }

        var wildcard = first.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal);
        if (!Uri.TryCreate(wildcard, UriKind.Absolute, out var uri))
        {
            return null;
        }

        return AsIpAddress(uri.Host) is { } ip && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || IPAddress.IsLoopback(ip))
            ? new UriBuilder(uri) { Host = "localhost" }.Uri.GetLeftPart(UriPartial.Authority)
            : uri.GetLeftPart(UriPartial.Authority);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A request came for host {RequestHost}, but links in emails and pages name {PortalBaseUrl}: set Portal:BaseUrl to the address people use (logged once)")]
    private partial void LogMismatch(string requestHost, string portalBaseUrl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Portal:BaseUrl {PortalBaseUrl} is an IP address: browsers allow passkeys only on a host name, so nobody can register or use one; set it to the portal's host name (or localhost)")]
    private partial void LogIpAddress(string portalBaseUrl);
}

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
/// first address the server actually listens on, so that <c>--urls http://127.0.0.1:5391</c> gives working links. Core
/// reaches it as <see cref="IPortalLinks"/>: the server and the page routes are the web host's.
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
    /// The first address of the running server, with a wildcard host (<c>0.0.0.0</c>, <c>[::]</c>, <c>+</c>, <c>*</c>)
    /// read as <c>localhost</c>: a link cannot name "every interface".
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

        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
            ? new UriBuilder(uri) { Host = "localhost" }.Uri.GetLeftPart(UriPartial.Authority)
            : uri.GetLeftPart(UriPartial.Authority);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A request came for host {RequestHost}, but links in emails and pages name {PortalBaseUrl}: set Portal:BaseUrl to the address people use (logged once)")]
    private partial void LogMismatch(string requestHost, string portalBaseUrl);
}

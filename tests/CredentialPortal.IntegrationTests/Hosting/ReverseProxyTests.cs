using System.Net;
using System.Text;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Throttling;
using CredentialPortal.Web.Account;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CredentialPortal.IntegrationTests.Hosting;

/// <summary>Behind a reverse proxy: forwarded headers count only when a configured proxy sent them.</summary>
public sealed class ReverseProxyTests : IAsyncLifetime
{
    private static readonly IPAddress Proxy = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress Stranger = IPAddress.Parse("10.0.0.9");
    private PortalFactory _portal = null!;

    public async ValueTask InitializeAsync() =>
        _portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Proxy:KnownProxies:0"] = Proxy.ToString(),
            ["Reminders:Enabled"] = "false",
        });

    public async ValueTask DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task The_audit_sees_the_client_address_a_configured_proxy_forwards_and_ignores_it_from_anyone_else()
    {
        var viaProxy = SecretGenerator.NewClientId();
        var direct = SecretGenerator.NewClientId();

        var proxied = await SendAsync(Proxy, "POST", "/connect/token", ("X-Forwarded-For", "203.0.113.7"), body: FailedTokenRequest(viaProxy));
        var spoofed = await SendAsync(Stranger, "POST", "/connect/token", ("X-Forwarded-For", "198.51.100.1"), body: FailedTokenRequest(direct));

        Assert.Equal(StatusCodes.Status401Unauthorized, proxied.Response.StatusCode);
        Assert.Equal(StatusCodes.Status401Unauthorized, spoofed.Response.StatusCode);
        await _portal.Services.GetRequiredService<AuthenticationFailureAudit>().FlushAsync(CancellationToken.None);
        await using var db = _portal.CreateDbContext();
        var events = await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.TokenAuthenticationFailed).ToListAsync();
        Assert.Equal("203.0.113.7", Assert.Single(events, e => e.Actor == viaProxy).RemoteAddress);
        Assert.Equal("10.0.0.9", Assert.Single(events, e => e.Actor == direct).RemoteAddress);
    }

    [Fact]
    public async Task Hsts_is_sent_for_https_that_a_configured_proxy_terminated()
    {
        var proxied = await SendAsync(Proxy, "GET", "/healthz", ("X-Forwarded-Proto", "https"));
        var spoofed = await SendAsync(Stranger, "GET", "/healthz", ("X-Forwarded-Proto", "https"));

        Assert.StartsWith("max-age=", proxied.Response.Headers.StrictTransportSecurity.ToString(), StringComparison.Ordinal);
        Assert.Equal("https", proxied.Request.Scheme);
        Assert.Empty(spoofed.Response.Headers.StrictTransportSecurity.ToString());
        Assert.Equal("http", spoofed.Request.Scheme);
    }

    [Fact]
    public void The_per_address_sign_in_limit_counts_an_IPv6_client_by_its_64()
    {
        using var throttle = new LoginThrottle(Options.Create(new AccountOptions { AttemptsPerAddressPerMinute = 1 }));

        Assert.True(throttle.TryAcquire(From("2001:db8:1:2::1"), account: null));
        Assert.False(throttle.TryAcquire(From("2001:db8:1:2:ffff:ffff:ffff:fffe"), account: null));
        Assert.True(throttle.TryAcquire(From("2001:db8:1:3::1"), account: null));
        Assert.True(throttle.TryAcquire(From("192.0.2.1"), account: null));
        Assert.False(throttle.TryAcquire(From("::ffff:192.0.2.1"), account: null));
    }

    private static DefaultHttpContext From(string address) => new() { Connection = { RemoteIpAddress = IPAddress.Parse(address) } };

    private static string FailedTokenRequest(string clientId) =>
        $"grant_type=client_credentials&client_id={clientId}&client_secret=wrong-secret";

    /// <summary>One request as if it came over a TCP connection from <paramref name="peer"/>.</summary>
    private Task<HttpContext> SendAsync(IPAddress peer, string method, string path, (string Name, string Value) header, string? body = null) =>
        _portal.Server.SendAsync(context =>
        {
            context.Connection.RemoteIpAddress = peer;
            context.Request.Method = method;
            context.Request.Scheme = "http";
            context.Request.Host = new HostString("credentials.example.org");
            context.Request.Path = path;
            context.Request.Headers[header.Name] = header.Value;
            if (body is not null)
            {
                context.Request.ContentType = "application/x-www-form-urlencoded";
                context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
            }
        });
}

using System.Net;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.Testing;
using Microsoft.Extensions.DependencyInjection;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.IntegrationTests.Webhooks.WebhookTestKit;

namespace CredentialPortal.IntegrationTests.Webhooks;

/// <summary>SSRF: webhooks reach public addresses only, unless an administrator allowed an endpoint onto private networks.</summary>
public sealed class WebhookAddressTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("168.63.129.16", true)]
    [InlineData("64:ff9b:1::a00:1", true)]
    [InlineData("2002:a00:1::1", true)]
    [InlineData("2002:c0a8:101::1", true)]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", true)]
    [InlineData("168.63.129.17", false)]
    [InlineData("93.184.216.34", false)]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946", false)]
    public void Non_public_addresses_are_forbidden(string address, bool forbidden) =>
        Assert.Equal(forbidden, WebhookAddressGuard.IsForbidden(IPAddress.Parse(address)));

    /// <summary>
    /// The endpoints are written straight to the store, past the form's check, as if a host name had resolved to a
    /// public address when registered and to these later (DNS rebinding): the send-time check on the connected
    /// address refuses them all, and the receiver on loopback hears nothing.
    /// </summary>
    [Fact]
    public async Task Deliveries_to_loopback_private_link_local_and_names_resolving_to_loopback_are_refused_when_sent()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var port = receiver.Address.Port;
        await using var portal = await PortalFactory.StartAsync(settings: Settings());
        var application = await CreateApplicationAsync(portal);
        string[] urls = [$"http://127.0.0.1:{port}/", $"http://[::1]:{port}/", $"http://localhost:{port}/", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/"];
        var endpoints = new List<int>();
        await using (var db = portal.CreateDbContext())
        {
            var secrets = portal.Services.GetRequiredService<WebhookSecrets>();
            foreach (var url in urls)
            {
                var endpoint = new WebhookEndpoint
                {
                    Url = url, ApplicationId = application.Id, ProtectedSecret = secrets.Protect(StandardWebhooks.NewSecret()),
                    CreatedAt = portal.Time.GetUtcNow().UtcDateTime, CreatedBy = Owner,
                };
                db.WebhookEndpoints.Add(endpoint);
                await db.SaveChangesAsync();
                endpoints.Add(endpoint.Id);
            }
        }

        await CreateSecretAsync(portal, application);
        await portal.RunNextPassAsync<Core.Outbox.OutboxSender>();

        Assert.Empty(receiver.Received);
        foreach (var id in endpoints)
        {
            var delivery = Assert.Single(await DeliveriesAsync(portal, id));
            Assert.Equal(WebhookDeliveryOutcome.Failed, delivery.Outcome);
            Assert.Null(delivery.StatusCode);
            Assert.True(delivery.Error?.Contains("private address", StringComparison.Ordinal) == true, delivery.Error);
        }

        // The name is only caught by the check at connect time, on what it resolved to.
        Assert.Contains("localhost resolves to", (await DeliveriesAsync(portal, endpoints[2])).Single().Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_form_refuses_plain_http_outside_Development_private_literals_and_user_names_in_the_address()
    {
        await using var portal = await PortalFactory.StartAsync();
        var http = portal.Services.GetRequiredService<WebhookHttp>();

        Assert.Contains("https://", http.RefusalOf("http://partner.example/hooks", allowPrivateNetwork: false), StringComparison.Ordinal);
        Assert.Contains("private", http.RefusalOf("https://10.0.0.7/hooks", allowPrivateNetwork: false), StringComparison.Ordinal);
        Assert.Contains("private", http.RefusalOf("https://[fd00::7]/hooks", allowPrivateNetwork: false), StringComparison.Ordinal);
        Assert.Null(http.RefusalOf("https://10.0.0.7/hooks", allowPrivateNetwork: true));
        Assert.Contains("user name", http.RefusalOf("https://user:pw@partner.example/hooks", allowPrivateNetwork: false), StringComparison.Ordinal);
        Assert.Contains("https://", http.RefusalOf("ftp://partner.example/", allowPrivateNetwork: false), StringComparison.Ordinal);
        Assert.Null(http.RefusalOf("https://partner.example/hooks?token=abc", allowPrivateNetwork: false));
    }
}

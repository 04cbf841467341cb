using System.Globalization;
using System.Net;
using CredentialPortal.Core.Webhooks;
using CredentialPortal.IntegrationTests.Hosting;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using CredentialPortal.Testing.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.IntegrationTests.Webhooks.WebhookTestKit;

namespace CredentialPortal.IntegrationTests.Webhooks;

/// <summary>SSRF: webhooks reach public addresses only, unless an administrator allowed an endpoint onto private networks.</summary>
public sealed class WebhookAddressTests
{
    private const string RefusedPrivate = "Refused: the address is on a private or reserved network";

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
            Assert.True(delivery.Error?.Contains("private", StringComparison.Ordinal) == true, delivery.Error);
        }

        // The name is only caught by the check at connect time, on what it resolved to; the log says no more than that.
        Assert.Equal(RefusedPrivate, (await DeliveriesAsync(portal, endpoints[2])).Single().Error);
    }

    /// <summary>
    /// A credential manager may register a host name that resolves to an internal address, or none: what the portal
    /// shows them (delivery log, endpoint page, disabled reason, email, audit) must not turn it into a DNS lookup of the
    /// internal network. The operators' log has the detail.
    /// </summary>
    [Fact]
    public async Task A_name_resolving_to_loopback_or_not_at_all_shows_only_a_category_and_the_operators_log_has_the_detail()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var sink = new CapturingSink();
        await using var portal = await PortalFactory.StartAsync(settings: Settings(("Webhooks:DisableAfterFailures", "1")),
            services: s => s.AddSingleton<ILogEventSink>(sink));
        var application = await CreateApplicationAsync(portal);
        var (loopback, _) = await RegisterAsync(portal, $"http://localhost:{receiver.Address.Port}/", applicationId: application.Id, allowPrivateNetwork: false);
        var (unresolvable, _) = await RegisterAsync(portal, "http://no-such-host.invalid/", applicationId: application.Id, allowPrivateNetwork: false);

        await CreateSecretAsync(portal, application);
        await portal.RunNextPassAsync<Core.Outbox.OutboxSender>();
        await DeliverPendingAsync(portal);

        Assert.Empty(receiver.Received);
        Assert.Equal(RefusedPrivate, (await DeliveriesAsync(portal, loopback)).Single().Error);
        // Retried (the name may resolve later), maybe more than once while the notices go out: each attempt says the same.
        var attempts = await DeliveriesAsync(portal, unresolvable);
        Assert.NotEmpty(attempts);
        Assert.All(attempts, d => Assert.Equal("No answer: the name does not resolve", d.Error));
        var disabled = await EndpointAsync(portal, loopback);
        Assert.Equal($"1 messages in a row were not delivered (last: {RefusedPrivate}).", disabled.DisabledReason);
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var pages = new WebhookPages(admin);
        var loopbackPage = await pages.EndpointAsync($"/webhooks/{loopback}");
        Assert.Contains(RefusedPrivate, loopbackPage.Text, StringComparison.Ordinal);
        Assert.Contains("No answer: the name does not resolve", (await pages.EndpointAsync($"/webhooks/{unresolvable}")).Text, StringComparison.Ordinal);
        await using (var db = portal.CreateDbContext())
        {
            var audit = await db.AuditEvents.Where(e => e.ApplicationId == application.Id).Select(e => e.Details ?? "").ToListAsync();
            string[] shown = [loopbackPage.Text, .. portal.Mail.All().Select(m => m.Body), .. audit];
            Assert.Contains(portal.Mail.All(), m => m.Body.Contains(RefusedPrivate, StringComparison.Ordinal));
            foreach (var answer in new[] { "127.0.0.1", "::1", "resolves to" })
            {
                Assert.DoesNotContain(shown, text => text.Contains(answer, StringComparison.Ordinal));
            }
        }

        var logged = sink.Events.Where(e => CapturingSink.Source(e) == typeof(WebhookSender).FullName && e.Level == LogEventLevel.Warning)
            .Select(e => e.RenderMessage(CultureInfo.InvariantCulture)).ToList();
        Assert.Contains(logged, m => m.Contains(RefusedPrivate, StringComparison.Ordinal)
            && m.Contains("localhost resolves to", StringComparison.Ordinal) && m.Contains("127.0.0.1", StringComparison.Ordinal));
        Assert.Contains(logged, m => m.Contains("No answer: the name does not resolve", StringComparison.Ordinal)
            && m.Contains("no-such-host.invalid", StringComparison.Ordinal));
    }

    /// <summary>Endpoints an administrator allowed onto private networks: the kind of failure, from the handler's classification.</summary>
    [Fact]
    public async Task A_refused_connection_and_a_failed_TLS_handshake_are_named_by_kind()
    {
        await using var plainHttp = await HttpReceiver.StartAsync();
        await using var portal = await PortalFactory.StartAsync(settings: Settings());
        var application = await CreateApplicationAsync(portal);
        var (closed, _) = await RegisterAsync(portal, $"http://127.0.0.1:{LoopbackPorts.Free()}/", applicationId: application.Id);
        var (notTls, _) = await RegisterAsync(portal, $"https://127.0.0.1:{plainHttp.Address.Port}/", applicationId: application.Id);

        await CreateSecretAsync(portal, application);
        await portal.RunNextPassAsync<Core.Outbox.OutboxSender>();

        Assert.Equal("No answer: connection refused", (await DeliveriesAsync(portal, closed)).Single().Error);
        Assert.Equal("No answer: TLS handshake failed", (await DeliveriesAsync(portal, notTls)).Single().Error);
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

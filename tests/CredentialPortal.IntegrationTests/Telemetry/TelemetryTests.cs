using System.Net;
using CredentialPortal.Core.Email;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Clients;
using Microsoft.Extensions.DependencyInjection;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Telemetry;

public sealed class TelemetryTests
{
    private static readonly Dictionary<string, string?> ScrapeOn = new() { ["Telemetry:Prometheus:Enabled"] = "true" };

    [Fact]
    public async Task Token_requests_failures_and_deliveries_appear_in_the_scrape_with_their_values_as_valid_Prometheus_text()
    {
        await using var portal = await PortalFactory.StartAsync(settings: ScrapeOn, realServer: true);
        using var http = Client(portal);
        var application = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, application);
        await QueueEmailAsync(portal);
        await portal.RunNextPassAsync<OutboxSender>();
        // Before the requests load the client: the poller evicts it for the changes above once it reads them.
        await portal.RunNextPassAsync<CredentialChangePoller>();

        await GetTokenAsync(http, application.ClientId, secret);
        await GetTokenAsync(http, application.ClientId, secret);
        (await RequestTokenAsync(http, application.ClientId, secret, basic: false)).EnsureSuccessStatusCode();
        await AssertErrorAsync(await RequestTokenAsync(http, application.ClientId, "wrong-secret-value"), HttpStatusCode.Unauthorized, "invalid_client");
        await AssertErrorAsync(await RequestTokenAsync(http, application.ClientId, "wrong-secret-value"), HttpStatusCode.Unauthorized, "invalid_client");
        await AssertErrorAsync(await RequestTokenAsync(http, "made-up-client", secret), HttpStatusCode.Unauthorized, "invalid_client");

        using var response = await http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var samples = PrometheusText.Parse(text);

        Assert.Equal(2, Value(samples, "credentialportal_token_requests_total", ("outcome", "issued"), ("auth_method", "client_secret_basic"), ("algorithm", "RS256")));
        Assert.Equal(1, Value(samples, "credentialportal_token_requests_total", ("outcome", "issued"), ("auth_method", "client_secret_post"), ("algorithm", "RS256")));
        Assert.Equal(3, Value(samples, "credentialportal_token_requests_total", ("outcome", "invalid_client")));
        Assert.Equal(2, Value(samples, "credentialportal_token_authentication_failures_total", ("reason", "wrong_secret")));
        Assert.Equal(1, Value(samples, "credentialportal_token_authentication_failures_total", ("reason", "malformed_client_id")));
        Assert.Equal(1, Value(samples, "credentialportal_client_cache_clients"));
        Assert.InRange(Value(samples, "credentialportal_signing_key_age_seconds", ("algorithm", "RS256")), 0, 60);
        Assert.InRange(Value(samples, "credentialportal_credential_changes_poll_age_seconds"), 0, 60);
        Assert.Equal(1, Value(samples, "credentialportal_outbox_deliveries_total", ("kind", "Invitation"), ("outcome", "sent")));
        Assert.Equal(0, Value(samples, "credentialportal_outbox_oldest_pending_age_seconds"));
        // The framework's own meters come along: the token endpoint's route in ASP.NET Core's request histogram.
        Assert.Contains(samples, s => s.Name == "http_server_request_duration_seconds_count" && s.Labels.GetValueOrDefault("http_route") == "/connect/token");
        // Nothing a client presented is an attribute.
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(application.ClientId, text, StringComparison.Ordinal);
        Assert.DoesNotContain("made-up-client", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_oldest_pending_message_age_grows_while_delivery_fails()
    {
        // Port 9 (discard) on loopback: nothing listens, so every attempt fails and is retried later.
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>(ScrapeOn)
        {
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = "9",
        }, realServer: true);
        using var http = Client(portal);
        await QueueEmailAsync(portal);
        await portal.RunNextPassAsync<OutboxSender>();
        portal.Time.Advance(TimeSpan.FromSeconds(90));

        var samples = PrometheusText.Parse(await http.GetStringAsync("/metrics"));

        Assert.InRange(Value(samples, "credentialportal_outbox_oldest_pending_age_seconds"), 90, 120);
        Assert.InRange(Value(samples, "credentialportal_outbox_deliveries_total", ("kind", "Invitation"), ("outcome", "retrying")), 1, 2);
    }

    [Fact]
    public async Task The_scrape_endpoint_is_off_by_default()
    {
        await using var portal = await PortalFactory.StartAsync(realServer: true);
        using var http = Client(portal);

        using var response = await http.GetAsync("/metrics");

        // Like any other address of the portal without a session: to the sign-in page.
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/login", response.Headers.Location?.OriginalString, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_scrape_forwarded_from_outside_or_on_another_port_than_the_management_port_is_refused()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>(ScrapeOn)
        {
            ["Proxy:KnownProxies:0"] = "127.0.0.1",
        }, realServer: true);
        using var http = Client(portal);

        using var local = await http.GetAsync("/metrics");
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "X-Forwarded-For", "203.0.113.7" } } };
        using var fromOutside = await http.SendAsync(forwarded);

        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, fromOutside.StatusCode);

        await using var withPort = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>(ScrapeOn)
        {
            ["Telemetry:Prometheus:Port"] = "1",
        }, realServer: true);
        using var other = Client(withPort);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_traces_and_metrics_are_pushed_there_without_the_secret()
    {
        await using var collector = await HttpReceiver.StartAsync();
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            // Export at once rather than every 5 and 60 seconds (real time: the SDK's exporters ignore the fake clock).
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });
        using var http = portal.CreateClient();
        var application = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, application);

        await GetTokenAsync(http, application.ClientId, secret);

        // Protocol buffers carry strings as UTF-8 bytes, so names can be found in the raw body.
        await collector.WaitForAsync(r => r.Path == "/v1/traces" && Contains(r.Body, "/connect/token"));
        await collector.WaitForAsync(r => r.Path == "/v1/metrics" && Contains(r.Body, "credentialportal.token.requests"));
        Assert.DoesNotContain(collector.Received, r => Contains(r.Body, secret));
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>Over the real socket (the loopback check needs a client address), without following redirects.</summary>
    private static HttpClient Client(PortalFactory portal) =>
        new(new HttpClientHandler { AllowAutoRedirect = false }, disposeHandler: true) { BaseAddress = portal.ServerAddress };

    private static double Value(IEnumerable<PrometheusSample> samples, string name, params (string, string)[] labels) =>
        PrometheusText.Find(samples, name, labels).Value;

    private static async Task QueueEmailAsync(PortalFactory portal)
    {
        using var scope = portal.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Core.Data.CredentialPortalDbContext>();
        scope.ServiceProvider.GetRequiredService<EmailOutbox>().Add(
            new EmailMessage(["someone@partner.example"], "Telemetry test", "text", "<p>html</p>", "telemetry-test/" + Guid.NewGuid()),
            EmailKind.Invitation);
        await db.SaveChangesAsync();
    }
}

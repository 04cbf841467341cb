using System.Net;
using System.Net.Http.Headers;
using CredentialPortal.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.Hosting;

public sealed class RequestLoggingTests
{
    private const string RequestLog = "Serilog.AspNetCore.RequestLoggingMiddleware";

    [Fact]
    public async Task One_line_per_request_with_method_path_status_elapsed_and_client_but_nothing_the_caller_sent()
    {
        // Successful token requests opted in (they log at Debug by default: see the next test).
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Logging:SuccessfulTokenRequests"] = "Information",
        });
        var sink = new CapturingSink();
        // ReadFrom.Services adds sinks registered in the container: the host's own logger writes to this one.
        await using var host = portal.WithWebHostBuilder(web => web.ConfigureTestServices(s => s.AddSingleton<ILogEventSink>(sink)));
        using var http = host.CreateClient();
        var (self, secret, _) = await CallerAsync(portal);

        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, "/connect/token?probe=query-value-1")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = self.ClientId,
                ["client_secret"] = secret,
                ["scope"] = "credentials.self",
            }),
        };
        using var tokenResponse = await http.SendAsync(tokenRequest);
        var token = (await JsonAsync(tokenResponse)).GetProperty("access_token").GetString()!;
        using var apiRequest = new HttpRequestMessage(HttpMethod.Get, "/api/v1/applications?probe=query-value-2");
        apiRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(apiRequest)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/applications")).StatusCode);

        // The health probe logs at Verbose, below the default level: no line of its own.
        var lines = sink.Events.Where(e => CapturingSink.Source(e) == RequestLog && e.Level >= LogEventLevel.Information).ToList();
        Assert.Collection(lines,
            line => AssertLine(line, "POST", "/connect/token", 200, self.ClientId),
            line => AssertLine(line, "GET", "/api/v1/applications", 200, self.ClientId),
            line => AssertLine(line, "GET", "/api/v1/applications", 401, clientId: null));

        using var all = new StringWriter();
        var formatter = new CompactJsonFormatter();
        foreach (var logEvent in sink.Events)
        {
            formatter.Format(logEvent, all);
        }

        foreach (var never in new[] { secret, token, token.Split('.')[2], "query-value-1", "query-value-2" })
        {
            Assert.DoesNotContain(never, all.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Successful_token_requests_log_below_the_default_level_and_refused_ones_at_it()
    {
        await using var portal = await PortalFactory.StartAsync();
        var sink = new CapturingSink();
        await using var host = portal.WithWebHostBuilder(web => web.ConfigureTestServices(s => s.AddSingleton<ILogEventSink>(sink)));
        using var http = host.CreateClient();
        var (self, secret, _) = await CallerAsync(portal);

        using var issued = await http.PostAsync("/connect/token", Form(self.ClientId, secret));
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        using var refused = await http.PostAsync("/connect/token", Form(self.ClientId, secret + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // The issued token's line is written at Debug, which the default level (Information) leaves out.
        var line = Assert.Single(sink.Events, e => CapturingSink.Source(e) == RequestLog);
        Assert.Equal((LogEventLevel.Information, 401), (line.Level, Status(line)));

        static FormUrlEncodedContent Form(string clientId, string clientSecret) => new(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        });
        static object? Status(LogEvent line) => ((ScalarValue)line.Properties["StatusCode"]).Value;
    }

    [Fact]
    public async Task A_request_the_client_gave_up_on_is_not_logged_as_an_error()
    {
        // Every level, so that the probe's line is written at all (a health probe's usual level is Verbose).
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Verbose",
        });
        var sink = new CapturingSink();
        var probing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A readiness check that answers only when cancelled: a database that takes longer than the probe's timeout.
        await using var host = portal.WithWebHostBuilder(web => web.ConfigureTestServices(s =>
        {
            s.AddSingleton<ILogEventSink>(sink);
            s.AddHealthChecks().AddAsyncCheck("slow", async cancellationToken =>
            {
                probing.SetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return HealthCheckResult.Healthy();
            }, tags: ["ready"]);
        }));
        using var http = host.CreateClient();
        var logged = sink.NextAsync(e => CapturingSink.Source(e) == RequestLog);

        using var probeTimeout = new CancellationTokenSource();
        var probe = http.GetAsync("/healthz/ready", probeTimeout.Token);
        await probing.Task;
        await probeTimeout.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe);

        var line = await logged;
        Assert.Equal(LogEventLevel.Verbose, line.Level);
        Assert.Equal(true, ((ScalarValue)line.Properties["ClientAborted"]).Value);
    }

    private static void AssertLine(LogEvent line, string method, string path, int status, string? clientId)
    {
        object? Value(string name) => line.Properties.TryGetValue(name, out var value) ? ((ScalarValue)value).Value : null;
        Assert.Equal(method, Value("RequestMethod"));
        Assert.Equal(path, Value("RequestPath"));
        Assert.Equal(status, Value("StatusCode"));
        Assert.IsType<double>(Value("Elapsed"));
        Assert.Equal(clientId, Value("ClientId"));
    }
}

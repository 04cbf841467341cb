using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Account;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace CredentialPortal.IntegrationTests.Hosting;

/// <summary>Issue 19 item 2: links built from Portal:BaseUrl lead where the portal really is.</summary>
public sealed partial class PortalAddressTests : IAsyncLifetime
{
    private TestDatabase _scratch = null!;

    public async ValueTask InitializeAsync() => _scratch = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);

    public ValueTask DisposeAsync() => _scratch.DisposeAsync();

    [Fact]
    public async Task In_development_without_a_base_url_the_printed_sign_in_address_is_the_one_the_server_listens_on()
    {
        await using var app = AppProcess.Start(_scratch.Directory,
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Portal__BaseUrl"] = null });

        await app.WaitForOutputAsync("sign in at:", TestContext.Current.CancellationToken);
        // Log lines reach the console through a background writer (Serilog.Sinks.Async), so the "Now listening" line may
        // come after the sign-in address, which is printed directly.
        await app.WaitForOutputAsync("Now listening on:", TestContext.Current.CancellationToken);

        // It listens on 127.0.0.1 and prints localhost, where passkeys work (browsers refuse them on an IP address).
        var listening = Listening().Match(app.StandardOutput).Groups["address"].Value;
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", listening);
        Assert.Contains($"sign in at: {listening.Replace("127.0.0.1", "localhost", StringComparison.Ordinal)}/", app.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_without_a_base_url_invitation_links_name_the_address_the_server_listens_on_as_localhost()
    {
        await using var portal = await PortalFactory.StartAsync(realServer: true, settings: new Dictionary<string, string?>
        {
            ["environment"] = "Development",
            ["Portal:BaseUrl"] = null,
            ["Reminders:Enabled"] = "false",
        });
        var listening = $"http://localhost:{portal.ServerAddress.Port}";
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<CredentialPortal.Core.Users.PortalUser>>();
        var admin = await users.FindByEmailAsync(PortalFactory.AdminEmail);

        var link = await scope.ServiceProvider.GetRequiredService<CredentialPortal.Web.Account.OneTimeLinks>().CreateAsync(admin!, CredentialPortal.Web.Account.LinkPurpose.Invitation);

        Assert.Equal(listening, scope.ServiceProvider.GetRequiredService<CredentialPortal.Web.Hosting.PortalAddress>().BaseUrl);
        Assert.StartsWith(listening + "/Account/AcceptInvitation?", link, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_development_without_an_issuer_the_start_warns_that_the_issuer_follows_the_host_header()
    {
        await using var app = AppProcess.Start(_scratch.Directory,
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["TokenService__Issuer"] = null });

        await app.WaitForOutputAsync("Now listening on: ", TestContext.Current.CancellationToken);

        Assert.Contains("TokenService:Issuer is not set", app.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_development_a_missing_base_url_ends_with_one_line_naming_the_setting()
    {
        await using var app = AppProcess.Start(_scratch.Directory, new Dictionary<string, string?> { ["Portal__BaseUrl"] = null });

        Assert.Equal(78, await app.WaitForExitAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("Configuration error in Portal: Portal:BaseUrl is required outside Development",
            app.StandardError.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_for_another_host_than_the_links_name_is_logged_once()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Portal:BaseUrl"] = "https://credentials.example.org",
            ["Reminders:Enabled"] = "false",
        });
        var sink = new CapturingSink();
        await using var host = portal.WithWebHostBuilder(web => web.ConfigureTestServices(s => s.AddSingleton<ILogEventSink>(sink)));
        using var http = host.CreateClient();

        await http.GetAsync(new Uri("https://credentials.example.org/healthz"));
        Assert.Empty(sink.Mismatches);
        await http.GetAsync(new Uri("http://localhost/healthz"));
        await http.GetAsync(new Uri("http://127.0.0.1:8080/"));

        var warning = Assert.Single(sink.Mismatches);
        Assert.Equal(LogEventLevel.Warning, warning.Level);
        Assert.Contains("\"localhost\"", warning.RenderMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains("https://credentials.example.org", warning.RenderMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_base_url_with_an_ip_address_is_warned_about_at_start_and_the_passkeys_page_says_what_to_do()
    {
        var sink = new CapturingSink();
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Portal:BaseUrl"] = "http://127.0.0.1:5080",
            ["Reminders:Enabled"] = "false",
        });
        await using var host = portal.WithWebHostBuilder(web => web.ConfigureTestServices(s => s.AddSingleton<ILogEventSink>(sink)));
        using var started = host.CreateClient();
        using var client = new PortalClient(portal);

        Assert.Contains(sink.Events, e => e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("is an IP address: browsers allow passkeys only on a host name", StringComparison.Ordinal));
        await client.SignInAsAdministratorAsync();
        var page = await client.GetAsync("/Account/Passkeys");
        Assert.Contains("Open the portal at localhost instead", page.Document.QuerySelector("#passkeys-unavailable")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.Document.QuerySelector("#add-passkey"));
    }

    [GeneratedRegex(@"Now listening on: (?<address>\S+)")]
    private static partial Regex Listening();

    private sealed class CapturingSink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public IReadOnlyList<LogEvent> Events => [.. _events];

        public IReadOnlyList<LogEvent> Mismatches =>
            [.. _events.Where(e => e.Properties.ContainsKey("RequestHost") && e.Properties.ContainsKey("PortalBaseUrl"))];

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);
    }
}

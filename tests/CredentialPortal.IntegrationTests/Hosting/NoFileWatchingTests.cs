using System.Net;
using System.Text.RegularExpressions;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;

namespace CredentialPortal.IntegrationTests.Hosting;

/// <summary>
/// No host watches files (configuration, static assets, asp-append-version): a machine whose inotify instances are
/// used up by other programs still serves the sign-in page, and the test suite does not depend on how many hosts run
/// at once. Both facts take every instance the user has left while they run, so they share this class (one at a time).
/// </summary>
public sealed partial class NoFileWatchingTests : IAsyncLifetime
{
    private TestDatabase _scratch = null!;

    public async ValueTask InitializeAsync() => _scratch = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);

    public ValueTask DisposeAsync() => _scratch.DisposeAsync();

    [Fact]
    public async Task A_test_host_renders_the_sign_in_and_error_pages_with_no_inotify_instance_left()
    {
        using var exhausted = InotifyInstances.ExhaustForThisUser();
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        using var client = portal.CreateClient();

        await AssertPagesRenderAsync(client);
        Assert.Equal(exhausted.Count, InotifyInstances.HeldBy(Environment.ProcessId));
    }

    [Fact]
    public async Task A_production_instance_holds_no_inotify_instance_and_serves_sign_in_with_none_left()
    {
        using var exhausted = InotifyInstances.ExhaustForThisUser();
        await using var app = AppProcess.Start(_scratch.Directory);
        await app.WaitForOutputAsync("Now listening on: ", TestContext.Current.CancellationToken);
        using var client = new HttpClient { BaseAddress = new Uri(Listening().Match(app.StandardOutput).Groups["address"].Value) };

        await AssertPagesRenderAsync(client);
        Assert.Equal(0, InotifyInstances.HeldBy(app.ProcessId));
    }

    private static async Task AssertPagesRenderAsync(HttpClient client)
    {
        var signIn = await client.GetAsync(new Uri("/Account/Login", UriKind.Relative), TestContext.Current.CancellationToken);
        var signInHtml = await signIn.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Contains("name=\"Input.Password\"", signInHtml, StringComparison.Ordinal);
        // asp-append-version resolved from the build's manifest: a content-hashed name, no file read or watched.
        Assert.Matches(@"href=""/css/site\.[a-z0-9]+\.css""", signInHtml);

        var error = await client.GetAsync(new Uri("/error", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains("Something went wrong", await error.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var missing = await client.GetAsync(new Uri("/no-such-page", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains("<main", await missing.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Now listening on: (?<address>\S+)")]
    private static partial Regex Listening();
}

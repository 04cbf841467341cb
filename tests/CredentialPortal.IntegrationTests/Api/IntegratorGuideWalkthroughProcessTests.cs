using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using CredentialPortal.Core.Data;
using CredentialPortal.IntegrationTests.Hosting;
using CredentialPortal.Testing;

namespace CredentialPortal.IntegrationTests.Api;

/// <summary>
/// The rotation walk-through of docs/integrators.md, run verbatim with bash, curl and jq against the built app started with <c>--seed-demo</c>,
/// as a newcomer would: only BASE, CLIENT_ID and CLIENT_SECRET are filled in.
/// </summary>
public sealed partial class IntegratorGuideWalkthroughProcessTests : IAsyncLifetime
{
    private TestDatabase _scratch = null!;

    public async ValueTask InitializeAsync() => _scratch = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);

    public ValueTask DisposeAsync() => _scratch.DisposeAsync();

    [Fact]
    public async Task The_integrators_guide_walk_through_works_verbatim_against_a_demo_instance()
    {
        Assert.SkipUnless(OnPath("bash") && OnPath("curl") && OnPath("jq"), "bash, curl and jq are needed to run the walk-through's script.");
        await using var app = AppProcess.Start(_scratch.Directory, "--seed-demo");
        await app.WaitForOutputAsync("application=PartnerAlternative-NL-DemoOrg-SMC", TestContext.Current.CancellationToken);
        await app.WaitForOutputAsync("Now listening on: ", TestContext.Current.CancellationToken);
        var output = app.StandardOutput;
        var baseUrl = ListeningOn().Match(output).Groups["url"].Value;
        var credential = DataManagerCredential().Match(output);
        Assert.True(credential.Success, output);

        var script = WalkThroughScript()
            .Replace("BASE=http://localhost:5080", $"BASE={baseUrl}", StringComparison.Ordinal)
            .Replace("CLIENT_ID=...", $"CLIENT_ID={credential.Groups["id"].Value}", StringComparison.Ordinal)
            .Replace("CLIENT_SECRET=...", $"CLIENT_SECRET={credential.Groups["secret"].Value}", StringComparison.Ordinal);
        script += """

            echo "old=$OLD_ID"
            curl -s -H "Authorization: Bearer $NEW_TOKEN" "$BASE/api/v1/applications/$CLIENT_ID" | jq -c '[.secrets[].name]'
            """;
        var (exitCode, stdout, stderr) = await RunBashAsync(script);

        Assert.True(exitCode == 0, $"exit {exitCode}: {stdout} {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 4, stdout + stderr);
        var connectivity = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(credential.Groups["id"].Value, connectivity.GetProperty("client_id").GetString());
        Assert.Equal("Partner-NL-DemoOrg-DM", connectivity.GetProperty("application").GetString());
        Assert.Equal("204", lines[1]);
        Assert.Matches("^old=[0-9]+$", lines[2]);
        var names = JsonSerializer.Deserialize<string[]>(lines[3])!;
        Assert.Contains("Rotated by script", names);
        Assert.DoesNotContain("Demo credential (printed at start-up)", names);
    }

    private static string WalkThroughScript()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "CredentialPortal.sln")))
        {
            directory = directory.Parent;
        }

        var guide = File.ReadAllText(Path.Combine(directory!.FullName, "docs", "integrators.md"));
        var walkThrough = guide[guide.IndexOf("### Walk-through", StringComparison.Ordinal)..];
        var start = walkThrough.IndexOf("```bash\n", StringComparison.Ordinal) + "```bash\n".Length;
        return walkThrough[start..walkThrough.IndexOf("```", start, StringComparison.Ordinal)];
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunBashAsync(string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, tool)));

    [GeneratedRegex(@"Now listening on: (?<url>http://\S+)")]
    private static partial Regex ListeningOn();

    [GeneratedRegex(@"^demo credential: application=Partner-NL-DemoOrg-DM client_id=(?<id>\S+) client_secret=(?<secret>\S+)$", RegexOptions.Multiline)]
    private static partial Regex DataManagerCredential();
}

using System.Diagnostics;
using System.Net;
using CredentialPortal.Testing;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.Keys;

/// <summary>
/// The "Authenticate with a key" commands of docs/integrators.md, run as written (openssl and bash): the key pair they generate is
/// added and the assertion they sign obtains a token.
/// </summary>
public sealed class IntegratorGuideKeyWalkthroughTests
{
    [Fact]
    public async Task The_integrators_guide_openssl_commands_go_from_key_pair_to_token()
    {
        var guide = await File.ReadAllTextAsync(Path.Combine(RepositoryFolder.Root, "docs", "integrators.md"));
        var section = guide[guide.IndexOf("## Authenticate with a key", StringComparison.Ordinal)..];
        var blocks = section.Split("```bash\n").Skip(1).Take(2).Select(b => b[..b.IndexOf("```", StringComparison.Ordinal)]).ToList();
        var directory = Directory.CreateTempSubdirectory("guide-key-").FullName;
        await RunAsync(blocks[0], directory);

        await using var portal = await PortalFactory.StartAsync(time: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow));
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var key = await AddKeyAsync(portal, app, await File.ReadAllTextAsync(Path.Combine(directory, "public.pem")));

        // The second block with the curl call replaced by printing the assertion (the test server has no socket).
        var signing = blocks[1][..blocks[1].IndexOf("curl ", StringComparison.Ordinal)]
            .Replace("CLIENT_ID=your-client-id KID=thumbprint-from-the-portal TOKEN_URL=https://credentials.example.org/connect/token",
                $"CLIENT_ID={app.ClientId} KID={key.Hint} TOKEN_URL={TokenEndpoint}", StringComparison.Ordinal)
            + "\necho \"$header.$payload.$signature\"\n";
        var assertion = (await RunAsync(signing, directory)).Trim();

        using var response = await RequestWithAssertionAsync(http, assertion);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> RunAsync(string script, string directory)
    {
        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        return output;
    }
}

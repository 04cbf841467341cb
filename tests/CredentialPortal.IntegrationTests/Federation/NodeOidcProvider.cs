using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CredentialPortal.IntegrationTests.TokenService;

namespace CredentialPortal.IntegrationTests.Federation;

/// <summary>
/// A partner's own OAuth server: node-oidc-provider (npm, tests/interop/federated-issuer.mjs) as a child process on a
/// loopback port, with one client_credentials client whose JWT access tokens carry <c>aud</c> = our issuer identifier.
/// It runs until disposed; it also stops by itself when its standard input closes, should the test process die first.
/// </summary>
public sealed class NodeOidcProvider : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _errors;

    private NodeOidcProvider(Process process, Task<string> errors, string issuer, string clientId, string clientSecret)
    {
        _process = process;
        _errors = errors;
        Issuer = issuer;
        ClientId = clientId;
        ClientSecret = clientSecret;
    }

    /// <summary>Its issuer identifier, <c>http://127.0.0.1:PORT</c>, the <c>iss</c> of its tokens.</summary>
    public string Issuer { get; }

    /// <summary>The partner's client at this server; node-oidc-provider makes it the <c>sub</c> of its client_credentials tokens.</summary>
    public string ClientId { get; }

    public string ClientSecret { get; }

    /// <summary>Starts the server for a client named <paramref name="clientId"/>, issuing tokens for <paramref name="audience"/>.</summary>
    public static async Task<NodeOidcProvider> StartAsync(string clientId, string audience)
    {
        var clientSecret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = InteropScripts.Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("federated-issuer.mjs");
        start.Environment["CLIENT_ID"] = clientId;
        start.Environment["CLIENT_SECRET"] = clientSecret;
        start.Environment["AUDIENCE"] = audience;
        var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        // The first line names the issuer once the server listens; none (end of output) means the script failed.
        var line = await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken);
        if (line is null)
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            var failure = $"federated-issuer.mjs exited with {process.ExitCode}: {await errors}";
            process.Dispose();
            Assert.Fail(failure);
        }

        var issuer = JsonDocument.Parse(line).RootElement.GetProperty("issuer").GetString()!;
        return new NodeOidcProvider(process, errors, issuer, clientId, clientSecret);
    }

    /// <summary>
    /// A JWT access token as the partner's workload gets it: its token endpoint from discovery, client_secret_basic, no
    /// resource named (the server's default resource is us).
    /// </summary>
    public async Task<string> AccessTokenAsync()
    {
        using var http = new HttpClient();
        var cancellation = TestContext.Current.CancellationToken;
        var discovery = JsonDocument.Parse(await http.GetStringAsync(Issuer + "/.well-known/openid-configuration", cancellation)).RootElement;
        using var request = new HttpRequestMessage(HttpMethod.Post, discovery.GetProperty("token_endpoint").GetString())
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(ClientId)}:{Uri.EscapeDataString(ClientSecret)}")));
        using var response = await http.SendAsync(request, cancellation);
        var body = await response.Content.ReadAsStringAsync(cancellation);
        Assert.True(response.IsSuccessStatusCode, $"node-oidc-provider refused the token request: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        await _errors;
        _process.Dispose();
    }
}

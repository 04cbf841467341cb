using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CredentialPortal.IntegrationTests.Federation;
using CredentialPortal.Testing;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Identity.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.TokenService;

/// <summary>
/// Issue 28: the client libraries partners use, as they ship, get tokens from the token service with every client
/// authentication method they offer, over HTTPS (each refuses plain HTTP by default); our access tokens verify with
/// jose (npm) and ASP.NET Core's JwtBearer. Node's and Python's libraries run as child processes, as a partner's system
/// would, and trust the test's certificate through NODE_EXTRA_CA_CERTS and REQUESTS_CA_BUNDLE (tests/interop holds
/// their scripts and the pinned npm packages, which test.sh installs). One portal for the class, an application per test;
/// it requires DPoP nonces, so that the DPoP cases (ClientLibraryInteropTests.Dpop.cs) go through the nonce challenge,
/// and trusts a Kubernetes-shaped issuer on loopback for MSAL's federated case (ClientLibraryInteropTests.Federated.cs).
/// </summary>
public sealed partial class ClientLibraryInteropTests : IAsyncLifetime
{
    private const string Scope = "data-manager";
    private const string Audience = "credential-portal-api";

    private X509Certificate2 _certificate = null!;
    private string _certificateFile = null!;
    private PortalFactory _portal = null!;
    private string _issuer = null!;

    public async ValueTask InitializeAsync()
    {
        // A partner's Kubernetes cluster, whose tokens MSAL presents (ClientLibraryInteropTests.Federated.cs).
        _cluster = await TestIssuer.StartAsync(rsa: true);
        _certificate = LocalhostCertificate();
        _certificateFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(_certificateFile, _certificate.ExportCertificatePem());
        // The libraries sign assertions on the real clock; RunAsync moves the portal's clock up to it before each call.
        _portal = await PortalFactory.StartOnLocalhostAsync(origin =>
        {
            _issuer = origin.GetLeftPart(UriPartial.Authority);
            return new Dictionary<string, string?>
            {
                ["TokenService:Issuer"] = _issuer,
                ["Portal:BaseUrl"] = _issuer,
                ["TokenService:Dpop:RequireNonce"] = "true",
                ["TokenService:Federation:TrustedIssuers:0"] = _cluster.Issuer,
                ["TokenService:Federation:AllowHttp"] = "true",
                ["TokenService:Federation:AllowPrivateNetworks"] = "true",
            };
        }, _certificate, new FakeTimeProvider(DateTimeOffset.UtcNow));
    }

    public async ValueTask DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _cluster.DisposeAsync();
        File.Delete(_certificateFile);
        _certificate.Dispose();
    }

    public static TheoryData<string, string, string?> NodeCases() => new()
    {
        { "openid-client", "client_secret_basic", null },
        { "openid-client", "client_secret_post", null },
        { "openid-client", "private_key_jwt", SecurityAlgorithms.EcdsaSha256 },
        { "openid-client", "private_key_jwt", SecurityAlgorithms.RsaSha256 },
        { "openid-client", "private_key_jwt", SecurityAlgorithms.RsaSsaPssSha256 },
        { "oauth4webapi", "client_secret_basic", null },
        { "oauth4webapi", "client_secret_post", null },
        { "oauth4webapi", "private_key_jwt", SecurityAlgorithms.EcdsaSha256 },
        { "oauth4webapi", "private_key_jwt", SecurityAlgorithms.RsaSha256 },
        { "oauth4webapi", "private_key_jwt", SecurityAlgorithms.RsaSsaPssSha256 },
    };

    [Theory]
    [MemberData(nameof(NodeCases))]
    public async Task Node_libraries_get_a_token_with_their_defaults_that_jose_verifies(string library, string authentication, string? algorithm)
    {
        var app = await CreateApplicationAsync(_portal);
        var environment = new Dictionary<string, string> { ["LIBRARY"] = library, ["AUTH"] = authentication };
        if (algorithm is null)
        {
            environment["CLIENT_SECRET"] = (await AddSecretAsync(_portal, app)).Value;
        }
        else
        {
            using var key = algorithm.StartsWith("ES", StringComparison.Ordinal) ? (AsymmetricAlgorithm)ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
            var added = await AddKeyAsync(_portal, app, PublicPem(key));
            environment["PRIVATE_KEY_JWK"] = PrivateJwk(key, algorithm, added.Hint);
        }

        var result = await RunAsync("client-credentials.mjs", app.ClientId, environment);

        Assert.Equal("bearer", result.GetProperty("token_type").GetString(), ignoreCase: true);
        Assert.Equal(app.ClientId, result.GetProperty("claims").GetProperty("client_id").GetString());
    }

    [Theory]
    [InlineData("client_secret_basic")]
    [InlineData("client_secret_post")]
    [InlineData("private_key_jwt")]
    public async Task Authlib_gets_a_token_with_its_defaults(string authentication)
    {
        var app = await CreateApplicationAsync(_portal);
        var environment = new Dictionary<string, string> { ["AUTH"] = authentication };
        if (authentication == "private_key_jwt")
        {
            // authlib's PrivateKeyJWT: RS256, no kid, aud the token endpoint, an assertion that lives 3,600 s.
            using var rsa = RSA.Create(2048);
            await AddKeyAsync(_portal, app, PublicPem(rsa));
            environment["PRIVATE_KEY_PEM"] = rsa.ExportPkcs8PrivateKeyPem();
        }
        else
        {
            environment["CLIENT_SECRET"] = (await AddSecretAsync(_portal, app)).Value;
        }

        var result = await RunAsync("client_credentials_authlib.py", app.ClientId, environment);

        Assert.Equal("Bearer", result.GetProperty("token_type").GetString());
        Assert.Equal(app.ClientId, new JsonWebToken(result.GetProperty("access_token").GetString()).GetPayloadValue<string>("client_id"));
    }

    [Fact]
    public async Task MSAL_with_a_certificate_gets_a_token_with_its_defaults()
    {
        var app = await CreateApplicationAsync(_portal);
        using var certificate = SelfSignedCertificate(DateTimeOffset.UtcNow);
        var key = await AddKeyAsync(_portal, app, certificate.ExportCertificatePem());
        _portal.Time.SetUtcNow(DateTimeOffset.UtcNow);

        // MSAL signs a 10-minute assertion naming the certificate by x5t, with the token endpoint as aud.
        var msal = ConfidentialClientApplicationBuilder.Create(app.ClientId)
            .WithOidcAuthority(_issuer + "/")
            .WithCertificate(certificate)
            .WithHttpClientFactory(new TrustingHttpClientFactory(TrustingClient()))
            .Build();
        var result = await msal.AcquireTokenForClient([Scope]).ExecuteAsync(TestContext.Current.CancellationToken);

        Assert.Equal(key.Id, new JsonWebToken(result.AccessToken).GetPayloadValue<int>("credential_id"));
    }

    [Fact]
    public async Task Duende_IdentityModel_gets_tokens_with_a_secret_in_the_header_or_the_body_and_with_an_assertion()
    {
        var app = await CreateApplicationAsync(_portal);
        var (secret, _) = await AddSecretAsync(_portal, app);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = await AddKeyAsync(_portal, app, PublicPem(ec));
        _portal.Time.SetUtcNow(DateTimeOffset.UtcNow);
        using var http = TrustingClient();

        var discovery = await http.GetDiscoveryDocumentAsync(_issuer, TestContext.Current.CancellationToken);
        Assert.False(discovery.IsError, discovery.Error);
        var header = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = app.ClientId,
            ClientSecret = secret,
            Scope = Scope,
        }, TestContext.Current.CancellationToken);
        var body = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = app.ClientId,
            ClientSecret = secret,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Scope = Scope,
        }, TestContext.Current.CancellationToken);
        // The assertion as Duende's documentation makes it: JsonWebTokenHandler, aud the token endpoint, one minute.
        var now = DateTime.UtcNow;
        var assertion = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = app.ClientId,
            Audience = discovery.TokenEndpoint,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(1),
            Claims = new Dictionary<string, object> { [JwtClaimTypes.Subject] = app.ClientId, [JwtClaimTypes.JwtId] = Guid.NewGuid().ToString() },
            SigningCredentials = Signing(ec, key.Hint),
        });
        var signed = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = discovery.TokenEndpoint,
            ClientId = app.ClientId,
            ClientAssertion = new ClientAssertion { Type = OidcConstants.ClientAssertionTypes.JwtBearer, Value = assertion },
            // The library refuses its default (the Authorization header) with an assertion, which goes in the body.
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Scope = Scope,
        }, TestContext.Current.CancellationToken);

        foreach (var response in new[] { header, body, signed })
        {
            Assert.False(response.IsError, $"{response.Error}: {response.ErrorDescription}");
            Assert.Equal(app.ClientId, new JsonWebToken(response.AccessToken).GetPayloadValue<string>("client_id"));
        }

        Assert.Equal(key.Id, new JsonWebToken(signed.AccessToken).GetPayloadValue<int>("credential_id"));
    }

    [Fact]
    public async Task ASP_NET_Core_JwtBearer_accepts_our_tokens_through_discovery_and_refuses_others()
    {
        var app = await CreateApplicationAsync(_portal);
        var (secret, _) = await AddSecretAsync(_portal, app);
        _portal.Time.SetUtcNow(DateTimeOffset.UtcNow);
        using var http = TrustingClient();
        var token = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = _issuer + "/connect/token",
            ClientId = app.ClientId,
            ClientSecret = secret,
            Scope = Scope,
        }, TestContext.Current.CancellationToken);
        Assert.False(token.IsError, token.Error);

        // A partner's API as the ASP.NET Core templates make it: Authority and Audience, nothing else.
        var builder = TestWebHosts.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthentication().AddJwtBearer(options =>
        {
            options.Authority = _issuer;
            options.Audience = Audience;
            options.BackchannelHttpHandler = TrustingHandler();
        });
        builder.Services.AddAuthorization();
        await using var api = builder.Build();
        api.MapGet("/", (ClaimsPrincipal user) => user.FindFirst("client_id")?.Value).RequireAuthorization();
        await api.StartAsync(TestContext.Current.CancellationToken);
        using var client = api.GetTestClient();

        using var accepted = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken) } };
        using var acceptedResponse = await client.SendAsync(accepted, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, acceptedResponse.StatusCode);
        Assert.Equal(app.ClientId, await acceptedResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var forged = token.AccessToken![..^4] + (token.AccessToken.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        using var refused = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", forged) } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(refused, TestContext.Current.CancellationToken)).StatusCode);
    }

    /// <summary>Runs a script of tests/interop with node or Debian's python3 and returns the JSON line it prints.</summary>
    private async Task<JsonElement> RunAsync(string script, string clientId, Dictionary<string, string> environment)
    {
        _portal.Time.SetUtcNow(DateTimeOffset.UtcNow);
        var start = new ProcessStartInfo(script.EndsWith(".py", StringComparison.Ordinal) ? "/usr/bin/python3" : "node")
        {
            WorkingDirectory = InteropScripts.Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(script);
        start.Environment["ISSUER"] = _issuer;
        start.Environment["CLIENT_ID"] = clientId;
        start.Environment["SCOPE"] = Scope;
        start.Environment["NODE_EXTRA_CA_CERTS"] = _certificateFile;
        start.Environment["REQUESTS_CA_BUNDLE"] = _certificateFile;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"{script} ({string.Join(", ", environment.Keys)}) failed: {await errors}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }

    /// <summary>The private key as a JWK with alg and kid, as a partner's secret store would hold it.</summary>
    private static string PrivateJwk(AsymmetricAlgorithm key, string algorithm, string kid)
    {
        static string B64(byte[]? bytes) => Base64UrlEncoder.Encode(bytes);
        var jwk = new Dictionary<string, string> { ["alg"] = algorithm, ["kid"] = kid };
        if (key is ECDsa ec)
        {
            var p = ec.ExportParameters(includePrivateParameters: true);
            (jwk["kty"], jwk["crv"], jwk["x"], jwk["y"], jwk["d"]) = ("EC", "P-256", B64(p.Q.X), B64(p.Q.Y), B64(p.D));
        }
        else
        {
            var p = ((RSA)key).ExportParameters(includePrivateParameters: true);
            (jwk["kty"], jwk["n"], jwk["e"], jwk["d"]) = ("RSA", B64(p.Modulus), B64(p.Exponent), B64(p.D));
            (jwk["p"], jwk["q"], jwk["dp"], jwk["dq"], jwk["qi"]) = (B64(p.P), B64(p.Q), B64(p.DP), B64(p.DQ), B64(p.InverseQ));
        }

        return JsonSerializer.Serialize(jwk);
    }

    private static X509Certificate2 LocalhostCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }

    /// <summary>Trusts the test's certificate only, as a partner's machine would trust its own certificate authority.</summary>
    private HttpClientHandler TrustingHandler() => new()
    {
        ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == _certificate.Thumbprint,
    };

    private HttpClient TrustingClient() => new(TrustingHandler());

    private sealed class TrustingHttpClientFactory(HttpClient client) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => client;
    }
}

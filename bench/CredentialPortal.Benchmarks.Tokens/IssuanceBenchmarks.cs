using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Organisations;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.ClientAuthentication;
using CredentialPortal.TokenService.Endpoints;
using CredentialPortal.TokenService.Issuance;
using CredentialPortal.TokenService.Requests;
using CredentialPortal.TokenService.Signing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.Benchmarks.Tokens;

/// <summary>One <c>POST /connect/token</c> through <see cref="TokenEndpoint.HandleAsync"/> on an in-memory request.</summary>
[MemoryDiagnoser]
public class TokenIssuance
{
    private PortalFactory _portal = null!;
    private TokenEndpoint _endpoint = null!;
    private byte[] _formBytes = null!;
    private string _authorization = null!;
    private OAuthFormReader _forms = null!;
    private ClientCredentialReader _credentials = null!;
    private ClientAuthenticator _authenticator = null!;
    private ScopeResolver _scopes = null!;
    private AccessTokenFactory _tokens = null!;
    private DefaultHttpContext _request = null!;
    private OAuthForm _form = null!;
    private PresentedCredentials _presented = null!;
    private AuthenticatedClient _client = null!;
    private TokenGrant _grant = null!;

    [Params("RS256", "ES256")]
    public string Algorithm { get; set; } = "RS256";

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _portal.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The whole issuance: what one token costs besides HTTP.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> IssueToken()
    {
        var context = NewRequest();
        await _endpoint.HandleAsync(context);
        return context.Response.StatusCode == 200 ? 200 : throw new InvalidOperationException($"status {context.Response.StatusCode}");
    }

    // The parts, one by one: where the time and the bytes of IssueToken go.
    [Benchmark]
    public async Task<object?> ReadForm() => (await _forms.ReadAsync(NewRequest())).Form;

    [Benchmark]
    public object? ReadCredentials() => _credentials.Read(_request.Request, _form).Credentials;

    [Benchmark]
    public async Task<object?> Authenticate() => (await _authenticator.AuthenticateAsync(_request, _presented)).Client;

    [Benchmark]
    public object? ResolveScope() => _scopes.Resolve(_client.Client, null, _request.Request).Grant;

    [Benchmark]
    public Task<string> CreateToken() => _tokens.CreateAsync("https://bench.example", _client, _grant, null, CancellationToken.None);

    private DefaultHttpContext NewRequest()
    {
        var context = new DefaultHttpContext { RequestServices = _portal.Services };
        context.Request.Method = "POST";
        context.Request.ContentType = "application/x-www-form-urlencoded";
        context.Request.Headers.Authorization = _authorization;
        context.Request.Body = new MemoryStream(_formBytes, writable: false);
        context.Response.Body = Stream.Null;
        return context;
    }

    private async Task SetupAsync()
    {
        _portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["TokenService:Algorithm"] = Algorithm,
            ["TokenService:RateLimit:PermitsPerSecond"] = "0",
            ["Reminders:Enabled"] = "false",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        });
        _ = _portal.CreateClient();
        var secret = SecretGenerator.NewSecret();
        var now = _portal.Time.GetUtcNow().UtcDateTime;
        await using (var db = _portal.CreateDbContext())
        {
            var application = new Application
            {
                ClientId = SecretGenerator.NewClientId(),
                Name = "Partner-NL-Bench-DM",
                Organisation = new Organisation { Name = "Bench", CountryCode = "NL", CreatedAt = now },
                ApiCode = "DM",
                CreatedAt = now,
            };
            application.Permissions.Add(new ApplicationPermission { Api = "data-manager", Environment = ApiEnvironment.Production });
            application.Secrets.Add(new ClientSecret
            {
                Name = "bench", Hash = secret.Hash, Hint = secret.Hint, CreatedAt = now, CreatedBy = "bench", ExpiresAt = now.AddDays(300),
            });
            db.Applications.Add(application);
            await db.SaveChangesAsync();
            _authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{application.ClientId}:{Uri.EscapeDataString(secret.Value)}"));
        }

        _formBytes = "grant_type=client_credentials"u8.ToArray();
        var services = _portal.Services;
        _endpoint = services.GetRequiredService<TokenEndpoint>();
        _forms = services.GetRequiredService<OAuthFormReader>();
        _credentials = services.GetRequiredService<ClientCredentialReader>();
        _authenticator = services.GetRequiredService<ClientAuthenticator>();
        _scopes = services.GetRequiredService<ScopeResolver>();
        _tokens = services.GetRequiredService<AccessTokenFactory>();
        await IssueToken();
        _request = NewRequest();
        _form = (await _forms.ReadAsync(_request)).Form!;
        _presented = _credentials.Read(_request.Request, _form).Credentials!;
        _client = (await _authenticator.AuthenticateAsync(_request, _presented)).Client!;
        _grant = _scopes.Resolve(_client.Client, null, _request.Request).Grant!;
    }
}

/// <summary>The bare signature of a token-sized message with the endpoint's own signing key, as IdentityModel makes it.</summary>
[MemoryDiagnoser]
public class BareSignature
{
    private PortalFactory _portal = null!;
    private SignatureProvider _provider = null!;
    private readonly byte[] _message = RandomNumberGenerator.GetBytes(520);

    [Params("RS256", "ES256")]
    public string Algorithm { get; set; } = "RS256";

    [GlobalSetup]
    public void Setup()
    {
        _portal = PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["TokenService:Algorithm"] = Algorithm })
            .GetAwaiter().GetResult();
        _ = _portal.CreateClient();
        var signing = _portal.Services.GetRequiredService<SigningKeyCache>().GetAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult().Signing;
        _provider = signing.Key.CryptoProviderFactory.CreateForSigning(signing.Key, signing.Algorithm);
    }

    [GlobalCleanup]
    public void Cleanup() => _portal.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public byte[] Sign() => _provider.Sign(_message);
}

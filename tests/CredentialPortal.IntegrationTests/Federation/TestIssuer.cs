using System.Security.Cryptography;
using System.Text.Json;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.IntegrationTests.TokenService;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CredentialPortal.IntegrationTests.Federation;

/// <summary>
/// A partner's platform as the token service sees it: an OpenID Connect issuer on a loopback port that serves its
/// discovery document and JWKS, signs tokens with its current key, rotates it and can go down. GitHub Actions and
/// Kubernetes tokens are shaped like theirs (claims, audience as a string or a list of one).
/// </summary>
public sealed class TestIssuer : IAsyncDisposable
{
    private readonly HttpReceiver _server;
    private readonly List<(string Kid, AsymmetricAlgorithm Key)> _published = [];
    private TaskCompletionSource? _held;
    private TaskCompletionSource? _release;

    private TestIssuer(HttpReceiver server, bool rsa)
    {
        _server = server;
        Rsa = rsa;
        Issuer = server.Address.ToString().TrimEnd('/');
        Rotate();
        _server.RespondBody = request => request.Path switch
        {
            "/.well-known/openid-configuration" => JsonSerializer.Serialize(new { issuer = Issuer, jwks_uri = Issuer + "/jwks" }),
            "/jwks" => Jwks(),
            _ => "{}",
        };
        _server.Respond = request =>
        {
            // A slow issuer: the answer waits (on a server thread) until the test lets it go.
            if (_release is { } release)
            {
                _held?.TrySetResult();
                release.Task.GetAwaiter().GetResult();
            }

            return Down ? 503 : request.Path is "/.well-known/openid-configuration" or "/jwks" ? 200 : 404;
        };
    }

    /// <summary>Makes the issuer's answers wait until <see cref="ReleaseAnswers"/>; the task completes once one is waiting.</summary>
    public Task HoldAnswers()
    {
        _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _held.Task;
    }

    public void ReleaseAnswers() => Interlocked.Exchange(ref _release, null)?.TrySetResult();

    public bool Rsa { get; }

    public string Issuer { get; }

    /// <summary>While true every request to the issuer fails (503).</summary>
    public bool Down { get; set; }

    public string CurrentKid => _published[^1].Kid;

    /// <summary>How often the JWKS was fetched.</summary>
    public int JwksFetches => _server.Received.Count(r => r.Path == "/jwks");

    public static async Task<TestIssuer> StartAsync(bool rsa = false) => new(await HttpReceiver.StartAsync(), rsa);

    /// <summary>A new signing key with a new kid, published instead of the old one (a rotation that retires the old key).</summary>
    public void Rotate()
    {
        foreach (var (_, key) in _published)
        {
            key.Dispose();
        }

        _published.Clear();
        _published.Add(("k-" + Guid.NewGuid().ToString("N")[..8], Rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256)));
    }

    /// <summary>A token of this issuer; <paramref name="audience"/> a string, or a list when <paramref name="audienceAsList"/> (Kubernetes).</summary>
    public string Token(DateTimeOffset now, string subject, string audience = "http://localhost", IDictionary<string, object>? claims = null,
        TimeSpan? lifetime = null, bool audienceAsList = false, string? algorithm = null, string? kid = null)
    {
        var (currentKid, key) = _published[^1];
        var values = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["iss"] = Issuer,
            ["sub"] = subject,
            ["aud"] = audienceAsList ? new[] { audience } : audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + (lifetime ?? TimeSpan.FromMinutes(10))).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString(),
        };
        foreach (var (name, value) in claims ?? new Dictionary<string, object>())
        {
            values[name] = value;
        }

        SecurityKey securityKey = key is RSA rsa ? new RsaSecurityKey(rsa) { KeyId = kid ?? currentKid } : new ECDsaSecurityKey((ECDsa)key) { KeyId = kid ?? currentKid };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = values,
            SigningCredentials = new SigningCredentials(securityKey, algorithm ?? (Rsa ? SecurityAlgorithms.RsaSha256 : SecurityAlgorithms.EcdsaSha256)),
        });
    }

    /// <summary>A GitHub Actions OIDC token of a workflow run on <paramref name="repository"/>'s main branch.</summary>
    public string GitHubActionsToken(DateTimeOffset now, string repository = "acme/billing", string ownerId = "4242", TimeSpan? lifetime = null) =>
        Token(now, $"repo:{repository}:ref:refs/heads/main", claims: new Dictionary<string, object>
        {
            ["repository"] = repository,
            ["repository_owner_id"] = ownerId,
            ["ref"] = "refs/heads/main",
            ["job_workflow_ref"] = $"{repository}/.github/workflows/deploy.yml@refs/heads/main",
            ["runner_environment"] = "github-hosted",
        }, lifetime: lifetime);

    /// <summary>A Kubernetes projected service-account token (audience as a list, kubernetes.io claims).</summary>
    public string KubernetesToken(DateTimeOffset now, string serviceAccount = "system:serviceaccount:billing:exporter", string audience = "http://localhost") =>
        Token(now, serviceAccount, audience: audience, audienceAsList: true, lifetime: TimeSpan.FromMinutes(60), claims: new Dictionary<string, object>
        {
            ["kubernetes.io"] = new Dictionary<string, object> { ["namespace"] = "billing", ["serviceaccount"] = new Dictionary<string, string> { ["name"] = "exporter" } },
        });

    /// <summary>Adds a federated identity for this issuer to the application as the portal does.</summary>
    public Task<FederatedIdentity> AddIdentityAsync(PortalFactory portal, TestApplication application, string subject,
        IReadOnlyDictionary<string, string>? claims = null, string? audience = null, string name = "workload") =>
        AddFederatedIdentityAsync(portal, application, Issuer, subject, claims, audience, name);

    /// <summary>Adds a federated identity for <paramref name="issuer"/> (a trusted one) to the application as the portal does.</summary>
    public static async Task<FederatedIdentity> AddFederatedIdentityAsync(PortalFactory portal, TestApplication application, string issuer, string subject,
        IReadOnlyDictionary<string, string>? claims = null, string? audience = null, string name = "workload")
    {
        ArgumentNullException.ThrowIfNull(portal);
        ArgumentNullException.ThrowIfNull(application);
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var management = scope.ServiceProvider.GetRequiredService<FederatedIdentityManagement>();
        var stored = await db.Applications.SingleAsync(a => a.Id == application.Id);
        var result = await management.AddAsync(stored, new FederatedIdentityInput(name, issuer, subject, audience, claims, null),
            "http://localhost", new AuditActor("tests"));
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Values));
        return result.Value!;
    }

    /// <summary>The settings that make the token service trust this issuer on the loopback network, over HTTP.</summary>
    public Dictionary<string, string?> Settings() => TrustSettings(Issuer);

    /// <summary>
    /// Trust in <paramref name="issuer"/> (none with null: the issuers are then trusted at run time) on the loopback
    /// network, over HTTP; refusals are expected, so the failure throttles are off.
    /// </summary>
    public static Dictionary<string, string?> TrustSettings(string? issuer)
    {
        var settings = new Dictionary<string, string?>
        {
            ["TokenService:Federation:AllowHttp"] = "true",
            ["TokenService:Federation:AllowPrivateNetworks"] = "true",
            ["TokenService:FailedAuthentication:MaxFailures"] = "0",
            ["TokenService:FailedAuthentication:MaxFailuresPerAddress"] = "0",
            ["TokenService:RateLimit:PermitsPerSecond"] = "0",
        };
        if (issuer is not null)
        {
            settings["TokenService:Federation:TrustedIssuers:0"] = issuer;
        }

        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseAnswers();
        foreach (var (_, key) in _published)
        {
            key.Dispose();
        }

        await _server.DisposeAsync();
    }

    private string Jwks() => JsonSerializer.Serialize(new
    {
        keys = _published.Select(p => p.Key is RSA rsa ? RsaJwk(p.Kid, rsa.ExportParameters(false)) : EcJwk(p.Kid, ((ECDsa)p.Key).ExportParameters(false))),
    });

    private static Dictionary<string, string> RsaJwk(string kid, RSAParameters parameters) => new()
    {
        ["kty"] = "RSA", ["use"] = "sig", ["kid"] = kid,
        ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
    };

    private static Dictionary<string, string> EcJwk(string kid, ECParameters parameters) => new()
    {
        ["kty"] = "EC", ["use"] = "sig", ["kid"] = kid, ["crv"] = "P-256",
        ["x"] = Base64UrlEncoder.Encode(parameters.Q.X), ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
    };
}

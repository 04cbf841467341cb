using System.Net;
using System.Net.Http.Headers;
using CredentialPortal.Testing.Account;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.Testing.Admin;
using CredentialPortal.TokenService.Clients;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Dpop;

/// <summary>
/// Issue 33: an administrator requires DPoP for an application (audited, shown by the management API), server nonces
/// with their challenge and retry, and two instances on one PostgreSQL database that accept each other's nonces.
/// </summary>
public sealed class DpopPolicyTests
{
    private const string TokenUrl = "http://localhost/connect/token";
    private const string ConnectivityUrl = "http://localhost/connectivity";

    [Fact]
    public async Task Required_DPoP_refuses_token_requests_without_a_proof_and_the_applications_bearer_tokens_everywhere()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["Reminders:Enabled"] = "false" });
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal, selfRotation: true);
        var (secret, _) = await AddSecretAsync(portal, app);
        var bearer = await GetTokenAsync(http, app.ClientId, secret, scope: "credentials.self");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(http, "/api/v1/applications", "Bearer", bearer)).StatusCode);

        // Through the administrators' form: saved, audited, and shown by the management API.
        using var admin = new PortalClient(portal);
        await admin.SignInAsAdministratorAsync();
        var saved = await new AdminPages(admin).SaveApplicationAsync(app.Id, new Dictionary<string, string> { ["Input.RequireDpop"] = "true", ["Input.NotificationEmails"] = "" });
        Assert.True(saved.Text.Contains("saved", StringComparison.Ordinal), saved.Errors + saved.Status);
        await using (var db = portal.CreateDbContext())
        {
            Assert.Contains(await db.AuditEvents.Where(e => e.ApplicationId == app.Id).Select(e => e.Details).ToListAsync(),
                d => d != null && d.Contains("DPoP required", StringComparison.Ordinal));
        }

        await portal.RunNextPassAsync<CredentialChangePoller>();
        using var refused = await RequestTokenAsync(http, app.ClientId, secret, scope: "credentials.self");
        var error = await AssertErrorAsync(refused, HttpStatusCode.BadRequest, "invalid_dpop_proof");
        Assert.Contains("requires DPoP", error.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        // The bearer token it got before is refused from now on, at /api/v1 as at /connectivity.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "/api/v1/applications", "Bearer", bearer)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, ConnectivityUrl, "Bearer", bearer)).StatusCode);

        using var key = DpopKey.Create();
        using var bound = await RequestTokenAsync(http, app.ClientId, secret, scope: "credentials.self", dpopProof: key.Proof("POST", TokenUrl, portal.Time.GetUtcNow()));
        var token = (await JsonAsync(bound)).GetProperty("access_token").GetString()!;
        using var listed = await http.SendAsync(key.ResourceRequest(HttpMethod.Get, "http://localhost/api/v1/applications", token, portal.Time.GetUtcNow()));
        var list = await JsonAsync(listed);
        Assert.True(listed.StatusCode == HttpStatusCode.OK, list.ToString());
        Assert.True(list.GetProperty("applications")[0].GetProperty("requireDpop").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, "/api/v1/applications", "Bearer", token)).StatusCode);
    }

    [Fact]
    public async Task With_nonces_required_a_proof_without_one_is_challenged_and_the_retry_succeeds_until_the_nonce_expires()
    {
        await using var portal = await PortalFactory.StartAsync(settings: Nonces(lifetimeSeconds: 30));
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, app);
        using var key = DpopKey.Create();
        DateTimeOffset Now() => portal.Time.GetUtcNow();

        using var challenged = await RequestTokenAsync(http, app.ClientId, secret, dpopProof: key.Proof("POST", TokenUrl, Now()));
        await AssertErrorAsync(challenged, HttpStatusCode.BadRequest, "use_dpop_nonce");
        var nonce = Assert.Single(challenged.Headers.GetValues("DPoP-Nonce"));

        using var retried = await RequestTokenAsync(http, app.ClientId, secret, dpopProof: key.Proof("POST", TokenUrl, Now(), nonce: nonce));
        var token = (await JsonAsync(retried)).GetProperty("access_token").GetString()!;
        Assert.True(retried.Headers.Contains("DPoP-Nonce"));

        // At the resource too: 401 with a DPoP challenge and the nonce, then the retry.
        using var resourceChallenge = await http.SendAsync(key.ResourceRequest(HttpMethod.Get, ConnectivityUrl, token, Now()));
        Assert.Equal(HttpStatusCode.Unauthorized, resourceChallenge.StatusCode);
        Assert.Contains("use_dpop_nonce", resourceChallenge.Headers.WwwAuthenticate.Single().Parameter, StringComparison.Ordinal);
        var resourceNonce = Assert.Single(resourceChallenge.Headers.GetValues("DPoP-Nonce"));
        using var resourceRetry = await http.SendAsync(key.ResourceRequest(HttpMethod.Get, ConnectivityUrl, token, Now(), nonce: resourceNonce));
        Assert.Equal(HttpStatusCode.OK, resourceRetry.StatusCode);

        // A nonce is good for its window and the next: 60 s later (two 30 s windows) it is stale.
        portal.Time.Advance(TimeSpan.FromSeconds(60));
        using var stale = await RequestTokenAsync(http, app.ClientId, secret, dpopProof: key.Proof("POST", TokenUrl, Now(), nonce: nonce));
        await AssertErrorAsync(stale, HttpStatusCode.BadRequest, "use_dpop_nonce");
    }

    [Fact]
    public async Task Two_instances_with_nonces_required_accept_each_others_nonces_and_share_proof_jtis()
    {
        Providers.SkipIfUnavailable(DatabaseProvider.PostgreSql);
        // A generous iat window, so that only the nonce stops the replay on the second instance.
        var settings = Nonces(lifetimeSeconds: 10);
        settings["TokenService:Dpop:ProofMaxAgeSeconds"] = "300";
        await using var first = await PortalFactory.StartAsync(DatabaseProvider.PostgreSql, settings: settings);
        await using var second = await PortalFactory.StartAsync(DatabaseProvider.PostgreSql, settings: new Dictionary<string, string?>(settings)
        {
            ["ConnectionStrings:CredentialPortal"] = first.Database.ConnectionString,
        });
        using var one = first.CreateClient();
        using var two = second.CreateClient();
        var app = await CreateApplicationAsync(first);
        var (secret, _) = await AddSecretAsync(first, app);
        using var key = DpopKey.Create();

        using var challenged = await RequestTokenAsync(one, app.ClientId, secret, dpopProof: key.Proof("POST", TokenUrl, first.Time.GetUtcNow()));
        await AssertErrorAsync(challenged, HttpStatusCode.BadRequest, "use_dpop_nonce");
        var nonceOfFirst = challenged.Headers.GetValues("DPoP-Nonce").Single();

        // The first instance's nonce gets a token from the second, without a database round trip for the nonce.
        var proof = key.Proof("POST", TokenUrl, second.Time.GetUtcNow(), nonce: nonceOfFirst);
        using var issued = await RequestTokenAsync(two, app.ClientId, secret, dpopProof: proof);
        Assert.Equal("DPoP", (await JsonAsync(issued)).GetProperty("token_type").GetString());
        using var replayedHere = await RequestTokenAsync(two, app.ClientId, secret, dpopProof: proof);
        await AssertErrorAsync(replayedHere, HttpStatusCode.BadRequest, "invalid_dpop_proof");

        // With nonces required, jtis are shared: the instance that never saw the proof refuses it while its nonce is fresh…
        using var replayedThere = await RequestTokenAsync(one, app.ClientId, secret, dpopProof: proof);
        await AssertErrorAsync(replayedThere, HttpStatusCode.BadRequest, "invalid_dpop_proof");
        Assert.Contains("used before", (await JsonAsync(replayedThere)).GetProperty("error_description").GetString(), StringComparison.Ordinal);

        // …and a fresh proof of the same key still gets a token there: only the jti was used up.
        using var fresh = await RequestTokenAsync(one, app.ClientId, secret, dpopProof: key.Proof("POST", TokenUrl, first.Time.GetUtcNow(), nonce: nonceOfFirst));
        Assert.Equal("DPoP", (await JsonAsync(fresh)).GetProperty("token_type").GetString());

        // …and once its nonce is stale, it is refused for that before its jti is even looked up.
        first.Time.Advance(TimeSpan.FromSeconds(20));
        using var replayedLater = await RequestTokenAsync(one, app.ClientId, secret, dpopProof: proof);
        await AssertErrorAsync(replayedLater, HttpStatusCode.BadRequest, "use_dpop_nonce");
    }

    private static Dictionary<string, string?> Nonces(int lifetimeSeconds) => new()
    {
        ["TokenService:Dpop:RequireNonce"] = "true",
        ["TokenService:Dpop:NonceLifetimeSeconds"] = lifetimeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string url, string scheme, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Authorization = new AuthenticationHeaderValue(scheme, token) } };
        return await http.SendAsync(request);
    }
}

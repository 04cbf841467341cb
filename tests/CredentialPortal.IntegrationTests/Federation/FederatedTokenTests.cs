using System.Net;
using System.Net.Http.Headers;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using CredentialPortal.TokenService.Throttling;
using Microsoft.Extensions.DependencyInjection;
using CredentialPortal.IntegrationTests.TokenService;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.Federation;

/// <summary>
/// Issue 32 item 3: an external token from a trusted issuer, presented as the client assertion with our client_id, gets a
/// token when it matches one of the application's federated identities, and every other case is invalid_client.
/// </summary>
public sealed class FederatedTokenTests : IAsyncLifetime
{
    private const string GitHubSubject = "repo:acme/billing:ref:refs/heads/main";
    private const string KubernetesSubject = "system:serviceaccount:billing:exporter";
    private const string NoMatch = "no federated identity of this application accepts this token";

    private TestIssuer _github = null!;
    private TestIssuer _kubernetes = null!;
    private PortalFactory _portal = null!;
    private HttpClient _http = null!;
    private TestApplication _app = null!;
    private FederatedIdentity _workflow = null!;

    public async ValueTask InitializeAsync()
    {
        _github = await TestIssuer.StartAsync();
        _kubernetes = await TestIssuer.StartAsync(rsa: true);
        var settings = _github.Settings();
        settings["TokenService:Federation:TrustedIssuers:1"] = _kubernetes.Issuer;
        _portal = await PortalFactory.StartAsync(settings: settings);
        _http = _portal.CreateClient();
        _app = await CreateApplicationAsync(_portal);
        _workflow = await _github.AddIdentityAsync(_portal, _app, GitHubSubject,
            new Dictionary<string, string> { ["repository_owner_id"] = "4242", ["job_workflow_ref"] = "acme/billing/.github/workflows/deploy.yml@refs/heads/main" });
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _portal.DisposeAsync();
        await _github.DisposeAsync();
        await _kubernetes.DisposeAsync();
    }

    private DateTimeOffset Now => _portal.Time.GetUtcNow();

    [Fact]
    public async Task A_GitHub_Actions_token_gets_an_access_token_naming_the_identity_and_connectivity_says_federated()
    {
        using var response = await RequestWithAssertionAsync(_http, _github.GitHubActionsToken(Now), clientId: _app.ClientId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var accessToken = (await JsonAsync(response)).GetProperty("access_token").GetString()!;
        var token = new JsonWebToken(accessToken);
        Assert.Equal(_app.ClientId, token.Subject);
        Assert.Equal(_workflow.Id, token.GetPayloadValue<int>("credential_id"));
        using var connectivity = new HttpRequestMessage(HttpMethod.Get, "/connectivity");
        connectivity.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var json = await JsonAsync(await _http.SendAsync(connectivity));
        Assert.Equal("federated", json.GetProperty("credential_kind").GetString());
    }

    [Fact]
    public async Task A_Kubernetes_token_with_its_audience_as_a_list_works_and_may_be_reused_until_it_expires()
    {
        await _kubernetes.AddIdentityAsync(_portal, _app, KubernetesSubject);
        var token = _kubernetes.KubernetesToken(Now);

        using var first = await RequestWithAssertionAsync(_http, token, clientId: _app.ClientId);
        using var again = await RequestWithAssertionAsync(_http, token, clientId: _app.ClientId);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task After_the_issuer_rotates_its_key_the_next_request_succeeds_and_made_up_kids_fetch_at_most_once_a_minute()
    {
        using (var before = await RequestWithAssertionAsync(_http, _github.GitHubActionsToken(Now), clientId: _app.ClientId))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        _portal.Time.Advance(TimeSpan.FromSeconds(61));
        _github.Rotate();
        using var after = await RequestWithAssertionAsync(_http, _github.GitHubActionsToken(Now), clientId: _app.ClientId);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);

        var fetches = _github.JwksFetches;
        for (var i = 0; i < 3; i++)
        {
            await RefusedAsync(_github.Token(Now, GitHubSubject, kid: "made-up-" + i));
        }

        Assert.Equal(fetches, _github.JwksFetches);
    }

    [Fact]
    public async Task While_the_issuer_is_down_its_cached_keys_still_verify_tokens()
    {
        using (var first = await RequestWithAssertionAsync(_http, _github.GitHubActionsToken(Now), clientId: _app.ClientId))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        _github.Down = true;
        _portal.Time.Advance(TimeSpan.FromHours(2));
        using var during = await RequestWithAssertionAsync(_http, _github.GitHubActionsToken(Now), clientId: _app.ClientId);

        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
    }

    [Fact]
    public async Task Requests_during_the_first_key_fetch_wait_for_it_and_a_client_hanging_up_does_not_cancel_it()
    {
        await _kubernetes.AddIdentityAsync(_portal, _app, KubernetesSubject);
        var token = _kubernetes.KubernetesToken(Now);
        var held = _kubernetes.HoldAnswers();
        using var hangUp = new CancellationTokenSource();

        // The first request starts the fetch, a second arrives meanwhile, then the first client hangs up.
        var abandoned = RequestWithAssertionAsync(_http, token, clientId: _app.ClientId, cancellationToken: hangUp.Token);
        await held;
        var waiting = RequestWithAssertionAsync(_http, token, clientId: _app.ClientId);
        await hangUp.CancelAsync();
        _kubernetes.ReleaseAnswers();
        // The test server ends the hung-up request only once its handler returns, after the fetch.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        // Both within the minute between fetch attempts: only a fetch that went on without its client gives keys here.
        using var second = await waiting;
        Assert.True(second.StatusCode == HttpStatusCode.OK, await second.Content.ReadAsStringAsync());
        using var later = await RequestWithAssertionAsync(_http, token, clientId: _app.ClientId);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task A_token_of_an_issuer_that_is_not_trusted_is_refused()
    {
        await using var stranger = await TestIssuer.StartAsync();
        var description = Description(await RefusedAsync(stranger.Token(Now, GitHubSubject)));
        Assert.Contains("not one this service trusts", description, StringComparison.Ordinal);
        Assert.DoesNotContain(_github.Issuer, description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_subject_audience_or_extra_claim_is_refused_without_revealing_the_identity()
    {
        var claims = new Dictionary<string, object> { ["repository_owner_id"] = "4242", ["job_workflow_ref"] = "acme/billing/.github/workflows/deploy.yml@refs/heads/main" };
        string[] tokens =
        [
            _github.Token(Now, "repo:acme/other:ref:refs/heads/main", claims: claims),
            _github.Token(Now, GitHubSubject, audience: "https://elsewhere.example", claims: claims),
            _github.GitHubActionsToken(Now, ownerId: "6666"),
            _github.Token(Now, GitHubSubject),
        ];
        foreach (var token in tokens)
        {
            var description = Description(await RefusedAsync(token));
            Assert.StartsWith(NoMatch, description, StringComparison.Ordinal);
            Assert.DoesNotContain("4242", description, StringComparison.Ordinal);
        }

        await _portal.Services.GetRequiredService<AuthenticationFailureAudit>().FlushAsync(CancellationToken.None);
        await using var db = _portal.CreateDbContext();
        var reasons = await db.AuditEvents.Where(e => e.ApplicationId == _app.Id && e.EventType == "token.authentication-failed")
            .Select(e => e.Details).ToListAsync();
        foreach (var reason in new[] { "wrong_subject", "wrong_audience", "wrong_claims" })
        {
            Assert.Contains(reasons, d => d != null && d.Contains(reason, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task An_expired_or_over_long_token_is_refused()
    {
        var expired = _github.GitHubActionsToken(Now - TimeSpan.FromMinutes(20));
        Assert.Contains("expired", Description(await RefusedAsync(expired)), StringComparison.Ordinal);

        var long_ = _github.GitHubActionsToken(Now, lifetime: TimeSpan.FromMinutes(61));
        Assert.Contains("at most 3600 seconds", Description(await RefusedAsync(long_)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alg_none_and_HS256_are_refused()
    {
        var genuine = new JsonWebToken(_github.GitHubActionsToken(Now));
        var unsigned = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""") + "." + genuine.EncodedPayload + ".";
        Assert.Contains("must be signed with one of", Description(await RefusedAsync(unsigned)), StringComparison.Ordinal);

        var hmac = new JsonWebTokenHandler().CreateToken(genuine.EncodedPayload.Length > 0
            ? System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(genuine.EncodedPayload)) : "{}",
            new Microsoft.IdentityModel.Tokens.SigningCredentials(
                new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(new byte[32]), Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256));
        Assert.Contains("must be signed with one of", Description(await RefusedAsync(hmac)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_identity_is_refused_as_disabled_and_a_deleted_one_matches_nothing()
    {
        await ChangeAsync(_portal, _app.Id, async db =>
        {
            var identity = await db.FederatedIdentities.SingleAsync(f => f.Id == _workflow.Id);
            identity.DisabledAt = _portal.Time.GetUtcNow().UtcDateTime;
            identity.DisabledBy = "tests";
        });
        Assert.Equal("the federated identity is disabled", Description(await RefusedAsync(_github.GitHubActionsToken(Now))));

        // Through the lifecycle, as the portal deletes: this instance forgets the client at once.
        await using (var scope = _portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
            var application = await db.Applications.SingleAsync(a => a.Id == _app.Id);
            var identity = await db.FederatedIdentities.SingleAsync(f => f.Id == _workflow.Id);
            await scope.ServiceProvider.GetRequiredService<CredentialLifecycle>().DeleteAsync(application, identity, new AuditActor("tests"), confirmedLastCredential: true);
        }

        Assert.StartsWith(NoMatch, Description(await RefusedAsync(_github.GitHubActionsToken(Now))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_policy_without_federated_identities_refuses_them()
    {
        await ChangeAsync(_portal, _app.Id, async db => (await db.Applications.SingleAsync(a => a.Id == _app.Id)).SetAllowedKinds(AllowedKinds.Secrets | AllowedKinds.Keys));

        var description = Description(await RefusedAsync(_github.GitHubActionsToken(Now)));
        Assert.Equal("this application may not authenticate with a federated identity: its authentication policy is \"Secrets and keys\"", description);
    }

    [Fact]
    public async Task Without_client_id_an_external_token_is_refused_saying_so()
    {
        using var response = await RequestWithAssertionAsync(_http, _github.GitHubActionsToken(Now));
        var json = await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.Contains("needs client_id in the body", Description(json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_single_use_on_a_token_is_accepted_once()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>(_github.Settings())
        {
            ["TokenService:Federation:SingleUse"] = "true",
        });
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        await _github.AddIdentityAsync(portal, app, GitHubSubject);
        var token = _github.GitHubActionsToken(portal.Time.GetUtcNow());

        using var first = await RequestWithAssertionAsync(http, token, clientId: app.ClientId);
        using var again = await RequestWithAssertionAsync(http, token, clientId: app.ClientId);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertErrorAsync(again, HttpStatusCode.Unauthorized, "invalid_client");
    }

    private async Task<System.Text.Json.JsonElement> RefusedAsync(string token)
    {
        using var response = await RequestWithAssertionAsync(_http, token, clientId: _app.ClientId);
        return await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    private static string Description(System.Text.Json.JsonElement json) => json.GetProperty("error_description").GetString()!;
}

using System.Net;
using System.Net.Http.Headers;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using CredentialPortal.TokenService.Clients;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.TokenService;

public sealed class TokenEndpointTests
{
    [Fact]
    public async Task Basic_authentication_gets_an_RFC_9068_token_that_validates_against_the_JWKS()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, app);

        using var response = await RequestTokenAsync(http, app.ClientId, secret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
        var json = await JsonAsync(response);
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(3600, json.GetProperty("expires_in").GetInt32());
        Assert.Equal("data-manager data-manager:sandbox", json.GetProperty("scope").GetString());

        var token = json.GetProperty("access_token").GetString()!;
        var validation = await ValidateAgainstJwksAsync(http, token);
        Assert.True(validation.IsValid, validation.Exception?.Message);
        var jwt = new JsonWebToken(token);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal("RS256", jwt.Alg);
        Assert.False(string.IsNullOrEmpty(jwt.Kid));
        Assert.Equal("http://localhost", jwt.Issuer);
        Assert.Equal(app.ClientId, jwt.Subject);
        Assert.Equal(app.ClientId, jwt.GetPayloadValue<string>("client_id"));
        Assert.Equal(["credential-portal-api"], jwt.Audiences);
        Assert.Equal("data-manager data-manager:sandbox", jwt.GetPayloadValue<string>("scope"));
        var iat = jwt.GetPayloadValue<long>("iat");
        Assert.Equal(3600, jwt.GetPayloadValue<long>("exp") - iat);
        Assert.Equal(iat, jwt.GetPayloadValue<long>("nbf"));
        Assert.Equal(portal.Time.GetUtcNow().ToUnixTimeSeconds(), iat);

        var second = new JsonWebToken(await GetTokenAsync(http, app.ClientId, secret));
        Assert.NotEqual(jwt.Id, second.Id);
        Assert.False(string.IsNullOrEmpty(jwt.Id));
    }

    [Fact]
    public async Task Secret_in_the_body_works_and_lifetime_and_audience_are_configurable()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["TokenService:LifetimeSeconds"] = "600",
            ["TokenService:ApiAudiences:data-manager"] = "https://dm.example.org",
        });
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, app);

        using var response = await RequestTokenAsync(http, app.ClientId, secret, basic: false, scope: "data-manager:sandbox");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await JsonAsync(response);
        Assert.Equal(600, json.GetProperty("expires_in").GetInt32());
        Assert.Equal("data-manager:sandbox", json.GetProperty("scope").GetString());
        var jwt = new JsonWebToken(json.GetProperty("access_token").GetString()!);
        Assert.Equal(600, jwt.GetPayloadValue<long>("exp") - jwt.GetPayloadValue<long>("iat"));
        Assert.Equal(["https://dm.example.org"], jwt.Audiences);
    }

    [Fact]
    public async Task A_secret_with_reserved_characters_works_through_form_urlencoded_Basic_credentials()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, app, value: "a/b=c?d+e%f:g " + SecretGenerator.NewSecret().Value);

        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, app.ClientId, secret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RequestTokenAsync(http, app.ClientId, secret, basic: false)).StatusCode);

        // Without the form-urlencoding the '+' and '%' mean something else, so the secret does not match.
        using var raw = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        raw.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(app.ClientId + ":" + secret)));
        await AssertErrorAsync(await http.SendAsync(raw), HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Fact]
    public async Task Two_active_secrets_both_work_and_last_used_is_written_in_a_batch()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (first, firstId) = await AddSecretAsync(portal, app);
        var (second, secondId) = await AddSecretAsync(portal, app);

        // Two tokens within one flush interval.
        var recorder = portal.BackgroundService<UsageRecorder>();
        var usedFirst = portal.Time.GetUtcNow().UtcDateTime;
        await GetTokenAsync(http, app.ClientId, first);
        portal.Time.Advance(recorder.Interval / 2);
        var usedSecond = portal.Time.GetUtcNow().UtcDateTime;
        await GetTokenAsync(http, app.ClientId, second);

        await using (var before = portal.CreateDbContext())
        {
            // Nothing written per request: only the batch writes "last used".
            Assert.Null((await before.ClientSecrets.SingleAsync(s => s.Id == firstId)).LastUsedAt);
        }

        await portal.RunNextPassAsync<UsageRecorder>();
        await using var db = portal.CreateDbContext();
        Assert.Equal(usedFirst, (await db.ClientSecrets.SingleAsync(s => s.Id == firstId)).LastUsedAt);
        Assert.Equal(usedSecond, (await db.ClientSecrets.SingleAsync(s => s.Id == secondId)).LastUsedAt);
        Assert.Equal(usedSecond, (await db.Applications.SingleAsync(a => a.Id == app.Id)).LastUsedAt);
    }

    [Fact]
    public async Task Expired_disabled_deleted_wrong_and_unknown_secrets_and_inactive_applications_get_invalid_client()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (expiring, _) = await AddSecretAsync(portal, app, expiresIn: TimeSpan.FromHours(1));
        var (disabled, _) = await AddSecretAsync(portal, app, disabled: true);
        var (deleted, deletedId) = await AddSecretAsync(portal, app);
        await ChangeAsync(portal, app.Id, db => db.ClientSecrets.Where(s => s.Id == deletedId).ExecuteDeleteAsync());
        var inactive = await CreateApplicationAsync(portal, active: false);
        var (inactiveSecret, _) = await AddSecretAsync(portal, inactive);
        portal.Time.Advance(TimeSpan.FromHours(1));

        async Task ExpectAsync(string clientId, string secret, string description, bool basic = true)
        {
            using var response = await RequestTokenAsync(http, clientId, secret, basic);
            var json = await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
            Assert.Equal(description, json.GetProperty("error_description").GetString());
            Assert.Equal(basic, response.Headers.WwwAuthenticate.Any(h => h.Scheme == "Basic"));
        }

        await ExpectAsync(app.ClientId, expiring, "the client secret has expired");
        await ExpectAsync(app.ClientId, disabled, "the client secret is disabled");
        await ExpectAsync(app.ClientId, disabled, "the client secret is disabled", basic: false);
        await ExpectAsync(app.ClientId, deleted, "client authentication failed");
        // Well-formed, checksum and all, but no secret of the application: the same answer as an unknown client_id.
        await ExpectAsync(app.ClientId, SecretFormat.NewValue(SecretFormat.DefaultPrefix), "client authentication failed");
        await ExpectAsync(Guid.NewGuid().ToString(), expiring, "client authentication failed");
        await ExpectAsync(inactive.ClientId, inactiveSecret, "the application is inactive");
        await ExpectAsync(inactive.ClientId, "wrong", "client authentication failed", basic: false);
    }

    [Fact]
    public async Task Each_RFC_6749_error_case_gets_its_error_code()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, app);
        var bare = await CreateApplicationAsync(portal, withPermissions: false);
        var (bareSecret, _) = await AddSecretAsync(portal, bare);

        async Task<HttpResponseMessage> PostAsync(IEnumerable<KeyValuePair<string, string>> fields, bool basic = false)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(fields) };
            if (basic)
            {
                request.Headers.Authorization = Basic(app.ClientId, secret);
            }

            return await http.SendAsync(request);
        }

        // Both authentication methods at once.
        await AssertErrorAsync(await PostAsync([new("grant_type", "client_credentials"), new("client_secret", secret)], basic: true),
            HttpStatusCode.BadRequest, "invalid_request");
        // Missing grant_type.
        await AssertErrorAsync(await PostAsync([], basic: true), HttpStatusCode.BadRequest, "invalid_request");
        // Unknown grant.
        await AssertErrorAsync(await PostAsync([new("grant_type", "password")], basic: true),
            HttpStatusCode.BadRequest, "unsupported_grant_type");
        // No client authentication at all.
        await AssertErrorAsync(await PostAsync([new("grant_type", "client_credentials")]), HttpStatusCode.Unauthorized, "invalid_client");
        // client_id without a secret (public clients are not supported).
        await AssertErrorAsync(await PostAsync([new("grant_type", "client_credentials"), new("client_id", app.ClientId)]),
            HttpStatusCode.Unauthorized, "invalid_client");
        // A scope the application does not hold.
        var invalidScope = await AssertErrorAsync(await RequestTokenAsync(http, app.ClientId, secret, scope: "data-manager search-match"),
            HttpStatusCode.BadRequest, "invalid_scope");
        Assert.Contains("search-match", invalidScope.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        // An application without any API permission.
        await AssertErrorAsync(await RequestTokenAsync(http, bare.ClientId, bareSecret), HttpStatusCode.BadRequest, "unauthorized_client");
        // A client_id in the body that contradicts the Basic one.
        await AssertErrorAsync(await PostAsync([new("grant_type", "client_credentials"), new("client_id", bare.ClientId)], basic: true),
            HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task The_token_service_can_be_switched_off()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["TokenService:Enabled"] = "false" });
        using var http = portal.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        // Without the endpoints the paths are ordinary unknown portal URLs: the portal's sign-in requirement answers.
        var token = await http.PostAsync("/connect/token", new FormUrlEncodedContent([]));
        var discovery = await http.GetAsync("/.well-known/openid-configuration");

        Assert.Contains(token.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.Unauthorized, HttpStatusCode.Redirect });
        Assert.Contains(discovery.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.Unauthorized, HttpStatusCode.Redirect });
        Assert.DoesNotContain("token_endpoint", await discovery.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

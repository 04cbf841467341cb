using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Clients;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.TokenService;

/// <summary>
/// <c>POST /connect/introspect</c> (RFC 7662) for resource servers, and the two ways a partner API checks our tokens:
/// validating them itself with an independent library configured from our discovery document, or asking introspection,
/// which also knows that a credential was disabled a moment ago.
/// </summary>
public sealed class IntrospectionTests
{
    [Fact]
    public async Task Introspection_answers_active_with_the_tokens_claims_until_its_credential_or_organisation_is_gone()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (resourceServer, rsSecret) = await ResourceServerAsync(portal);
        var partner = await CreateApplicationAsync(portal);
        var (secret, secretId) = await AddSecretAsync(portal, partner);
        var token = await GetTokenAsync(http, partner.ClientId, secret, scope: "data-manager");

        var active = await IntrospectAsync(http, resourceServer.ClientId, rsSecret, token);
        Assert.True(active.GetProperty("active").GetBoolean());
        Assert.Equal(partner.ClientId, active.GetProperty("client_id").GetString());
        Assert.Equal(partner.ClientId, active.GetProperty("sub").GetString());
        Assert.Equal("data-manager", active.GetProperty("scope").GetString());
        Assert.Equal("Bearer", active.GetProperty("token_type").GetString());
        Assert.Equal("credential-portal-api", active.GetProperty("aud").GetString());
        Assert.Equal("http://localhost", active.GetProperty("iss").GetString());
        var issuedAt = portal.Time.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(issuedAt, active.GetProperty("iat").GetInt64());
        Assert.Equal(issuedAt + 3600, active.GetProperty("exp").GetInt64());

        // Disabled (by another instance: the change log tells this one): inactive, and nothing but "active": false is said.
        await SetSecretDisabledAsync(portal, partner, secretId, disabled: true);
        await portal.RunNextPassAsync<CredentialChangePoller>();
        var inactive = await IntrospectAsync(http, resourceServer.ClientId, rsSecret, token);
        Assert.Equal("""{"active":false}""", inactive.GetRawText());

        await SetSecretDisabledAsync(portal, partner, secretId, disabled: false);
        await portal.RunNextPassAsync<CredentialChangePoller>();
        Assert.True((await IntrospectAsync(http, resourceServer.ClientId, rsSecret, token)).GetProperty("active").GetBoolean());
        await ChangeAsync(portal, partner.Id, async db =>
        {
            var organisationId = await db.Applications.Where(a => a.Id == partner.Id).Select(a => a.OrganisationId).SingleAsync();
            (await db.Organisations.SingleAsync(o => o.Id == organisationId)).IsActive = false;
        });
        await portal.RunNextPassAsync<CredentialChangePoller>();
        Assert.False((await IntrospectAsync(http, resourceServer.ClientId, rsSecret, token)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Expired_forged_foreign_and_deleted_credential_tokens_are_inactive()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (resourceServer, rsSecret) = await ResourceServerAsync(portal);
        var partner = await CreateApplicationAsync(portal);
        var (secret, secretId) = await AddSecretAsync(portal, partner);
        var token = await GetTokenAsync(http, partner.ClientId, secret);
        var parts = token.Split('.');

        async Task<bool> ActiveAsync(string presented) =>
            (await IntrospectAsync(http, resourceServer.ClientId, rsSecret, presented)).GetProperty("active").GetBoolean();

        Assert.True(await ActiveAsync(token));
        Assert.False(await ActiveAsync("not-a-token"));
        Assert.False(await ActiveAsync($"{parts[0]}.{parts[1]}.{parts[2][..^4]}AAAA"));
        Assert.False(await ActiveAsync($"{parts[0]}.{Convert.ToBase64String("""{"client_id":"x"}"""u8.ToArray()).TrimEnd('=')}.{parts[2]}"));

        await ChangeAsync(portal, partner.Id, async db => db.ClientSecrets.Remove(await db.ClientSecrets.SingleAsync(s => s.Id == secretId)));
        await portal.RunNextPassAsync<CredentialChangePoller>();
        Assert.False(await ActiveAsync(token));

        var (other, _) = await AddSecretAsync(portal, partner);
        await portal.RunNextPassAsync<CredentialChangePoller>();
        var fresh = await GetTokenAsync(http, partner.ClientId, other);
        portal.Time.Advance(TimeSpan.FromHours(2));
        Assert.False(await ActiveAsync(fresh));
    }

    [Fact]
    public async Task Only_an_authenticated_resource_server_may_introspect()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (resourceServer, rsSecret) = await ResourceServerAsync(portal);
        var partner = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, partner);
        var token = await GetTokenAsync(http, partner.ClientId, secret);

        var metadata = await JsonAsync(await http.GetAsync("/.well-known/openid-configuration"));
        Assert.Equal("http://localhost/connect/introspect", metadata.GetProperty("introspection_endpoint").GetString());

        await AssertErrorAsync(await PostIntrospectionAsync(http, partner.ClientId, secret, token), HttpStatusCode.Forbidden, "unauthorized_client");
        await AssertErrorAsync(await PostIntrospectionAsync(http, resourceServer.ClientId, "wrong", token), HttpStatusCode.Unauthorized, "invalid_client");
        await AssertErrorAsync(await PostIntrospectionAsync(http, resourceServer.ClientId, rsSecret, token: null), HttpStatusCode.BadRequest, "invalid_request");
        using var get = await http.GetAsync("/connect/introspect");
        await AssertErrorAsync(get, HttpStatusCode.MethodNotAllowed, "invalid_request");
    }

    [Fact]
    public async Task A_resource_server_validating_with_JwtBearer_from_our_discovery_accepts_our_tokens_and_nothing_else()
    {
        // JwtBearer checks lifetimes on the system clock: the portal's clock starts at the real time.
        await using var portal = await PortalFactory.StartAsync(time: new FakeTimeProvider(DateTimeOffset.UtcNow));
        using var http = portal.CreateClient();
        var partner = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, partner);
        await using var api = await StartResourceServerAsync(services => services
            .AddAuthentication().AddJwtBearer(options =>
            {
                options.Authority = "http://localhost";
                options.RequireHttpsMetadata = false;
                options.Audience = "credential-portal-api";
                options.BackchannelHttpHandler = portal.Server.CreateHandler();
                options.MapInboundClaims = false;
                options.TokenValidationParameters.ValidTypes = ["at+jwt"];
            }), context => context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme)
                .ContinueWith(t => t.Result.Succeeded ? t.Result.Principal!.FindFirst("client_id")!.Value : null, TaskScheduler.Default));
        using var client = api.GetTestClient();

        Assert.Equal(partner.ClientId, await CallAsync(client, await GetTokenAsync(http, partner.ClientId, secret, scope: "data-manager")));
        // A management token has the management audience: not for this API.
        var self = await CreateApplicationAsync(portal, selfRotation: true);
        var (selfSecret, _) = await AddSecretAsync(portal, self);
        Assert.Null(await CallAsync(client, await GetTokenAsync(http, self.ClientId, selfSecret, scope: "credentials.self")));
    }

    [Fact]
    public async Task A_resource_server_that_introspects_stops_accepting_a_token_as_soon_as_its_secret_is_disabled()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (resourceServer, rsSecret) = await ResourceServerAsync(portal);
        var partner = await CreateApplicationAsync(portal);
        var (secret, secretId) = await AddSecretAsync(portal, partner);
        await using var api = await StartResourceServerAsync(_ => { }, async context =>
        {
            var bearer = context.Request.Headers.Authorization.ToString()["Bearer ".Length..];
            var answer = await IntrospectAsync(http, resourceServer.ClientId, rsSecret, bearer);
            return answer.GetProperty("active").GetBoolean() ? answer.GetProperty("client_id").GetString() : null;
        });
        using var client = api.GetTestClient();
        var token = await GetTokenAsync(http, partner.ClientId, secret);
        Assert.Equal(partner.ClientId, await CallAsync(client, token));

        // Disabled behind this instance's back (as another instance would): the change poller's next pass tells it.
        await SetSecretDisabledAsync(portal, partner, secretId, disabled: true);
        await portal.RunNextPassAsync<CredentialChangePoller>();

        Assert.Null(await CallAsync(client, token));
    }

    [Fact]
    public async Task A_resource_server_learns_only_about_tokens_for_the_audiences_it_serves_and_never_about_management_tokens()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["TokenService:ApiAudiences:data-manager"] = "https://dm.example.org",
        });
        using var http = portal.CreateClient();
        var (resourceServer, rsSecret) = await ResourceServerAsync(portal);
        var partner = await CreateApplicationAsync(portal, selfRotation: true);
        var (secret, _) = await AddSecretAsync(portal, partner);
        var apiToken = await GetTokenAsync(http, partner.ClientId, secret, scope: "data-manager");
        var managementToken = await GetTokenAsync(http, partner.ClientId, secret, scope: "credentials.self");

        async Task<bool> ActiveAsync(string token) =>
            (await IntrospectAsync(http, resourceServer.ClientId, rsSecret, token)).GetProperty("active").GetBoolean();
        async Task ServeAsync(params string[] audiences)
        {
            await ChangeAsync(portal, resourceServer.Id, async db =>
                (await db.Applications.SingleAsync(a => a.Id == resourceServer.Id)).IntrospectionAudiences = [.. audiences]);
            await portal.RunNextPassAsync<CredentialChangePoller>();
        }

        // By default the partner APIs' audiences: the API token, not the management one.
        Assert.True(await ActiveAsync(apiToken));
        Assert.False(await ActiveAsync(managementToken));

        // A resource server for another API learns nothing about this one's tokens.
        await ServeAsync("https://smc.example.org");
        Assert.False(await ActiveAsync(apiToken));

        // Listing the management audience does not open management tokens.
        await ServeAsync("https://dm.example.org", "http://localhost/api/v1");
        Assert.True(await ActiveAsync(apiToken));
        Assert.False(await ActiveAsync(managementToken));
    }

    [Fact]
    public async Task Successful_introspection_calls_are_rate_limited_too()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["TokenService:IntrospectionRateLimit:PermitsPerSecond"] = "1",
            ["TokenService:IntrospectionRateLimit:Burst"] = "2",
        });
        using var http = portal.CreateClient();
        var (resourceServer, rsSecret) = await ResourceServerAsync(portal);
        var partner = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, partner);
        var token = await GetTokenAsync(http, partner.ClientId, secret);

        Assert.True((await IntrospectAsync(http, resourceServer.ClientId, rsSecret, token)).GetProperty("active").GetBoolean());
        Assert.True((await IntrospectAsync(http, resourceServer.ClientId, rsSecret, token)).GetProperty("active").GetBoolean());
        using var third = await PostIntrospectionAsync(http, resourceServer.ClientId, rsSecret, token);
        await AssertErrorAsync(third, HttpStatusCode.TooManyRequests, "slow_down");
        Assert.Equal("1", third.Headers.GetValues("Retry-After").Single());

        // The token endpoint keeps its own budget, and a second later introspection answers again.
        Assert.False(string.IsNullOrEmpty(await GetTokenAsync(http, partner.ClientId, secret)));
        portal.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await IntrospectAsync(http, resourceServer.ClientId, rsSecret, token)).GetProperty("active").GetBoolean());
    }

    private static async Task<(TestApplication Application, string Secret)> ResourceServerAsync(PortalFactory portal)
    {
        var application = await CreateApplicationAsync(portal);
        await ChangeAsync(portal, application.Id, async db =>
            (await db.Applications.SingleAsync(a => a.Id == application.Id)).IsResourceServer = true);
        var (secret, _) = await AddSecretAsync(portal, application);
        return (application, secret);
    }

    private static async Task<HttpResponseMessage> PostIntrospectionAsync(HttpClient http, string clientId, string secret, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect")
        {
            Content = new FormUrlEncodedContent(token is null ? [] : [new KeyValuePair<string, string>("token", token)]),
        };
        request.Headers.Authorization = Basic(clientId, secret);
        return await http.SendAsync(request);
    }

    private static async Task<JsonElement> IntrospectAsync(HttpClient http, string clientId, string secret, string token)
    {
        using var response = await PostIntrospectionAsync(http, clientId, secret, token);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A partner API of its own (not the portal's host): GET / answers the caller's client_id, or 401.</summary>
    private static async Task<WebApplication> StartResourceServerAsync(Action<IServiceCollection> configure,
        Func<HttpContext, Task<string?>> caller)
    {
        var builder = TestWebHosts.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        configure(builder.Services);
        var app = builder.Build();
        app.MapGet("/", async context =>
        {
            if (await caller(context) is { } clientId)
            {
                await context.Response.WriteAsync(clientId);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            }
        });
        await app.StartAsync();
        return app;
    }

    private static async Task<string?> CallAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : null;
    }
}

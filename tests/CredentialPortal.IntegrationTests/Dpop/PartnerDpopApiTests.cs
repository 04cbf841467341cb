using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using CredentialPortal.Testing;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Dpop;

/// <summary>
/// Issue 33 for partner APIs: an ASP.NET Core API configured as docs/integrators.md shows (JwtBearer from our discovery
/// document plus <see cref="PartnerDpopCheck"/>) accepts our DPoP-bound tokens with a proof of their key only.
/// </summary>
public sealed class PartnerDpopApiTests
{
    [Fact]
    public async Task A_partner_API_with_JwtBearer_and_the_documented_proof_check_accepts_a_bound_token_only_with_its_key()
    {
        await using var portal = await PortalFactory.StartAsync();
        // The partner API checks lifetimes and iat on the real clock: the portal issues on it too.
        portal.Time.SetUtcNow(DateTimeOffset.UtcNow);
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, app);
        using var key = DpopKey.Create();
        using var issued = await RequestTokenAsync(http, app.ClientId, secret, dpopProof: key.Proof("POST", "http://localhost/connect/token", portal.Time.GetUtcNow()));
        var token = (await JsonAsync(issued)).GetProperty("access_token").GetString()!;

        var builder = TestWebHosts.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddMemoryCache();
        builder.Services.AddAuthentication().AddJwtBearer(options =>
        {
            options.Authority = "http://localhost";
            options.Audience = "credential-portal-api";
            options.RequireHttpsMetadata = false;
            options.BackchannelHttpHandler = portal.Server.CreateHandler();
            options.MapInboundClaims = false;
            options.Events = new JwtBearerEvents { OnMessageReceived = PartnerDpopCheck.OnMessageReceived, OnTokenValidated = PartnerDpopCheck.OnTokenValidated };
        });
        builder.Services.AddAuthorization();
        await using var api = builder.Build();
        api.MapGet("/orders", (ClaimsPrincipal user) => user.FindFirst("client_id")?.Value).RequireAuthorization();
        await api.StartAsync(TestContext.Current.CancellationToken);
        using var client = api.GetTestClient();
        const string orders = "http://localhost/orders";
        var now = portal.Time.GetUtcNow();

        var proof = key.Proof("GET", orders, now, token);
        using (var accepted = await client.SendAsync(key.ResourceRequest(HttpMethod.Get, orders, token, now, proof), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            Assert.Equal(app.ClientId, await accepted.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        using var thief = DpopKey.Create();
        using var bearer = new HttpRequestMessage(HttpMethod.Get, orders) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        foreach (var refused in new[]
                 {
                     bearer,
                     key.ResourceRequest(HttpMethod.Get, orders, token, now, proof),
                     key.ResourceRequest(HttpMethod.Get, orders, token, now, proof: ""),
                     thief.ResourceRequest(HttpMethod.Get, orders, token, now),
                     key.ResourceRequest(HttpMethod.Get, orders, token, now, key.Proof("POST", orders, now, token)),
                 })
        {
            using (refused)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(refused, TestContext.Current.CancellationToken)).StatusCode);
            }
        }
    }
}

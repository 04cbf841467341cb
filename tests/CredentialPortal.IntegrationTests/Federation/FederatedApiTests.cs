using System.Net;
using System.Text.Json;
using CredentialPortal.Testing;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.Keys.KeyTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Federation;

/// <summary>Issue 32 item 4: /federated-credentials with the rules of keys, and the identity it adds obtains tokens.</summary>
public sealed class FederatedApiTests
{
    private const string Subject = "repo:acme/billing:environment:production";

    [Fact]
    public async Task A_self_rotating_application_adds_lists_disables_enables_and_deletes_a_federated_identity()
    {
        await using var issuer = await TestIssuer.StartAsync();
        await using var portal = await PortalFactory.StartAsync(settings: issuer.Settings());
        using var http = portal.CreateClient();
        var (self, secret, _) = await CallerAsync(portal);
        var token = await GetTokenAsync(http, self.ClientId, secret, scope: "credentials.self");
        var collection = $"/api/v1/applications/{self.ClientId}/federated-credentials";

        await AssertProblemAsync(await SendAsync(http, HttpMethod.Post, collection, token,
            JsonSerializer.Serialize(new { name = "deploy", issuer = "https://untrusted.example", subject = Subject })), HttpStatusCode.BadRequest,
            "Choose one of the trusted issuers");
        await AssertProblemAsync(await SendAsync(http, HttpMethod.Post, collection, token,
            JsonSerializer.Serialize(new { name = "deploy", issuer = issuer.Issuer, subject = Subject, claims = new Dictionary<string, string> { ["sub"] = "x" } })),
            HttpStatusCode.BadRequest, "sub is checked anyway");

        var added = await OkJsonAsync(await SendAsync(http, HttpMethod.Post, collection, token, JsonSerializer.Serialize(new
        {
            name = "deploy",
            issuer = issuer.Issuer,
            subject = Subject,
            claims = new Dictionary<string, string> { ["repository_owner_id"] = "4242" },
        })), HttpStatusCode.Created);
        var id = added.GetProperty("id").GetInt32();
        Assert.Equal("http://localhost", added.GetProperty("audience").GetString());
        Assert.Equal(JsonValueKind.Null, added.GetProperty("reviewBy").ValueKind);
        Assert.Equal("active", added.GetProperty("status").GetString());

        using (var federated = await RequestWithAssertionAsync(http,
            issuer.Token(portal.Time.GetUtcNow(), Subject, claims: new Dictionary<string, object> { ["repository_owner_id"] = "4242" }), clientId: self.ClientId))
        {
            Assert.Equal(HttpStatusCode.OK, federated.StatusCode);
        }

        var list = await OkJsonAsync(await GetAsync(http, collection, token));
        Assert.Equal(Subject, list.GetProperty("federatedCredentials")[0].GetProperty("subject").GetString());
        Assert.Equal("disabled", (await OkJsonAsync(await SendAsync(http, HttpMethod.Post, $"{collection}/{id}/disable", token))).GetProperty("status").GetString());
        Assert.Equal("active", (await OkJsonAsync(await SendAsync(http, HttpMethod.Post, $"{collection}/{id}/enable", token))).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(http, HttpMethod.Delete, $"{collection}/{id}", token)).StatusCode);
        await AssertProblemAsync(await SendAsync(http, HttpMethod.Post, $"{collection}/{id}/disable", token), HttpStatusCode.NotFound, "has no federated identity with id");
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CredentialPortal.Testing;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;

namespace CredentialPortal.IntegrationTests.Api;

/// <summary>The OpenAPI document tells tools such as Swagger UI and Postman how to fetch a token themselves.</summary>
public sealed class ManagementApiOpenApiTests
{
    [Fact]
    public async Task The_document_declares_the_client_credentials_flow_at_the_token_endpoint_and_a_token_fetched_that_way_works()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var document = await DocumentAsync(http);

        var flow = ClientCredentialsFlow(document);
        var tokenUrl = flow.GetProperty("tokenUrl").GetString()!;
        Assert.Equal("http://localhost/connect/token", tokenUrl);
        Assert.Equal(["credentials.self", "credentials.admin"], flow.GetProperty("scopes").EnumerateObject().Select(s => s.Name));
        var requirements = document.GetProperty("security").EnumerateArray().ToList();
        Assert.Contains(requirements, r => r.TryGetProperty("Bearer", out _));
        var oauthScopes = requirements.Where(r => r.TryGetProperty("OAuth2", out _))
            .Select(r => string.Join(' ', r.GetProperty("OAuth2").EnumerateArray().Select(s => s.GetString()))).ToList();
        Assert.Equal(["credentials.self", "credentials.admin"], oauthScopes);

        // What a tool does with it: client credentials at tokenUrl with a scope the document names, then the API.
        var (caller, secret, _) = await CallerAsync(portal);
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, tokenUrl)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = caller.ClientId,
                ["client_secret"] = secret,
                ["scope"] = oauthScopes[0],
            }),
        };
        using var tokenResponse = await http.SendAsync(tokenRequest);
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        using var apiRequest = new HttpRequestMessage(HttpMethod.Get, "/api/v1/applications");
        apiRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var api = await http.SendAsync(apiRequest);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
    }

    [Fact]
    public async Task The_token_url_follows_the_configured_issuer_as_discovery_does()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?> { ["TokenService:Issuer"] = "https://credentials.example.org/" });
        using var http = portal.CreateClient();

        var flow = ClientCredentialsFlow(await DocumentAsync(http));
        var discovery = JsonDocument.Parse(await http.GetStringAsync("/.well-known/oauth-authorization-server")).RootElement;
        Assert.Equal("https://credentials.example.org/connect/token", flow.GetProperty("tokenUrl").GetString());
        Assert.Equal(discovery.GetProperty("token_endpoint").GetString(), flow.GetProperty("tokenUrl").GetString());
    }

    private static async Task<JsonElement> DocumentAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static JsonElement ClientCredentialsFlow(JsonElement document)
    {
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("OAuth2");
        Assert.Equal("oauth2", scheme.GetProperty("type").GetString());
        return scheme.GetProperty("flows").GetProperty("clientCredentials");
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CredentialPortal.IntegrationTests.Secrets;
using CredentialPortal.IntegrationTests.TokenService;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Api;

/// <summary>Arranges management-API callers and calls the API like a partner's script would.</summary>
public static class ApiTestKit
{
    /// <summary>An application with one active secret, allowed to self-rotate (or flagged as admin automation client).</summary>
    public static async Task<(TestApplication Application, string Secret, int SecretId)> CallerAsync(PortalFactory portal,
        bool selfRotation = true, bool admin = false)
    {
        var application = await TokenServiceTestKit.CreateApplicationAsync(portal, selfRotation: selfRotation);
        if (admin)
        {
            await TokenServiceTestKit.ChangeAsync(portal, application.Id, async db =>
                (await db.Applications.SingleAsync(a => a.Id == application.Id)).IsAdminAutomationClient = true);
        }

        var (secret, secretId) = await TokenServiceTestKit.AddSecretAsync(portal, application);
        return (application, secret, secretId);
    }

    /// <summary>An application with credential managers (as <see cref="SecretManagementTests"/> seeds it), allowed to self-rotate.</summary>
    public static async Task<TestApplication> ManagedApplicationAsync(PortalFactory portal, IReadOnlyList<string> managers)
    {
        var id = await SecretManagementTests.SeedApplicationAsync(portal, managers);
        await using var db = portal.CreateDbContext();
        var application = await db.Applications.SingleAsync(a => a.Id == id);
        application.AllowSelfRotation = true;
        await db.SaveChangesAsync();
        return new TestApplication(application.Id, application.ClientId, application.Name);
    }

    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string url, string? token,
        string? json = null, string? ifMatch = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, contentType);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> GetAsync(HttpClient http, string url, string? token) =>
        SendAsync(http, HttpMethod.Get, url, token);

    public static Task<HttpResponseMessage> CreateAsync(HttpClient http, string clientId, string token, string name,
        string expiresAt, string? ifMatch = null) =>
        SendAsync(http, HttpMethod.Post, $"/api/v1/applications/{clientId}/secrets", token,
            JsonSerializer.Serialize(new { name, expiresAt }), ifMatch);

    public static Task<HttpResponseMessage> ActAsync(HttpClient http, string clientId, int secretId, string action, string token,
        string? ifMatch = null) => action == "delete"
        ? SendAsync(http, HttpMethod.Delete, $"/api/v1/applications/{clientId}/secrets/{secretId}", token, ifMatch: ifMatch)
        : SendAsync(http, HttpMethod.Post, $"/api/v1/applications/{clientId}/secrets/{secretId}/{action}", token, ifMatch: ifMatch);

    public static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem details answer with the given status and a detail containing the text.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("title").GetString()));
        Assert.Contains(detailContains, json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        return json;
    }

    public static string Date(PortalFactory portal, int days) =>
        DateOnly.FromDateTime(portal.Time.GetUtcNow().UtcDateTime).AddDays(days).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}

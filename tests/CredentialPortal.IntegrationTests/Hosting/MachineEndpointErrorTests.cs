using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CredentialPortal.IntegrationTests.TokenService;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.IntegrationTests.Hosting;

/// <summary>
/// A failure of ours on an endpoint for programs answers in that endpoint's format, not with the portal's HTML error
/// page. The failure is real: credential rows the code cannot read (a date column holding text).
/// </summary>
public sealed class MachineEndpointErrorTests
{
    [Fact]
    public async Task The_management_API_answers_problem_details_and_the_token_endpoint_server_error()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var managed = await TokenServiceTestKit.CreateApplicationAsync(portal, selfRotation: true);
        var (secret, _) = await TokenServiceTestKit.AddSecretAsync(portal, managed);
        var token = await TokenClient.GetTokenAsync(http, managed.ClientId, secret, "credentials.self");
        var unread = await TokenServiceTestKit.CreateApplicationAsync(portal);
        var (unreadSecret, _) = await TokenServiceTestKit.AddSecretAsync(portal, unread);
        await using (var db = portal.CreateDbContext())
        {
            await db.Database.ExecuteSqlAsync($"UPDATE ClientCredentials SET ExpiresAt = 'not a date' WHERE ApplicationId IN ({managed.Id}, {unread.Id})", cancellation);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/applications/{managed.ClientId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var api = await http.SendAsync(request, cancellation);
        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        using (var problem = JsonDocument.Parse(await api.Content.ReadAsStringAsync(cancellation)))
        {
            Assert.Equal(500, problem.RootElement.GetProperty("status").GetInt32());
        }

        using var tokenResponse = await TokenClient.RequestTokenAsync(http, unread.ClientId, unreadSecret);
        Assert.Equal(HttpStatusCode.InternalServerError, tokenResponse.StatusCode);
        using var error = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync(cancellation));
        Assert.Equal("server_error", error.RootElement.GetProperty("error").GetString());
    }
}

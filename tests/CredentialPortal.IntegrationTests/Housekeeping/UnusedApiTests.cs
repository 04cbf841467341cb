using System.Text.Json;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Housekeeping;

/// <summary>Issue 35 item 2: the management API says which credentials are unused, by the portal's and the digest's rule.</summary>
public sealed class UnusedApiTests
{
    [Fact]
    public async Task A_secret_unused_for_90_days_carries_why_and_since_when_and_a_used_one_carries_nothing()
    {
        await using var portal = await PortalFactory.StartAsync();
        using var http = portal.CreateClient();
        var (application, secret, callerId) = await CallerAsync(portal);
        var (_, neverUsed) = await AddSecretAsync(portal, application, expiresIn: TimeSpan.FromDays(200));
        var (_, notRecently) = await AddSecretAsync(portal, application, expiresIn: TimeSpan.FromDays(200));
        var now = portal.Time.GetUtcNow().UtcDateTime;
        await using (var db = portal.CreateDbContext())
        {
            await db.ClientCredentials.Where(c => c.Id == neverUsed)
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.CreatedAt, now.AddDays(-120)), TestContext.Current.CancellationToken);
            await db.ClientCredentials.Where(c => c.Id == notRecently)
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.CreatedAt, now.AddDays(-300)).SetProperty(c => c.LastUsedAt, now.AddDays(-91)),
                    TestContext.Current.CancellationToken);
        }

        var token = await GetTokenAsync(http, application.ClientId, secret, "credentials.self");
        async Task<JsonElement> SecretAsync(int id) =>
            await OkJsonAsync(await GetAsync(http, $"/api/v1/applications/{application.ClientId}/secrets/{id}", token));

        var never = (await SecretAsync(neverUsed)).GetProperty("unused");
        Assert.Equal("neverUsed", never.GetProperty("reason").GetString());
        Assert.Equal(120, never.GetProperty("days").GetInt32());
        Assert.Equal(now.AddDays(-120), never.GetProperty("since").GetDateTime());
        var old = (await SecretAsync(notRecently)).GetProperty("unused");
        Assert.Equal("notUsedRecently", old.GetProperty("reason").GetString());
        Assert.Equal(91, old.GetProperty("days").GetInt32());
        var caller = await SecretAsync(callerId);
        Assert.True(!caller.TryGetProperty("unused", out var none) || none.ValueKind == JsonValueKind.Null);
    }
}

using CredentialPortal.Core.Credentials;
using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Outbox;
using CredentialPortal.Testing;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.Api.ApiTestKit;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.Api;

/// <summary>The "Automating rotation" walk-through of docs/integrators.md, step by step over HTTP.</summary>
public sealed class RotationWalkthroughTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task The_integrators_guide_walk_through_rotates_a_secret(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        using var http = portal.CreateClient();
        var application = await ManagedApplicationAsync(portal, managers: ["manager@demoorg.example"]);
        var (clientSecret, _) = await AddSecretAsync(portal, application);
        var clientId = application.ClientId;

        // 1. A token from the current secret, with the self-management scope.
        var token = await GetTokenAsync(http, clientId, clientSecret, scope: "credentials.self");

        // 2. The current secret's id: the active secret whose hint is the first three characters of the value.
        var current = await OkJsonAsync(await GetAsync(http, $"/api/v1/applications/{clientId}", token));
        var oldId = current.GetProperty("secrets").EnumerateArray()
            .Single(s => s.GetProperty("hint").GetString() == SecretFormat.HintOf(clientSecret) && s.GetProperty("status").GetString() == "active")
            .GetProperty("id").GetInt32();

        // 3. A new secret, valid for 90 days (date -u -d '+90 days' +%F).
        using var created = await SendAsync(http, HttpMethod.Post, $"/api/v1/applications/{clientId}/secrets", token,
            $$"""{"name": "Rotated by script", "expiresAt": "{{Date(portal, 90)}}"}""");
        var newSecret = (await OkJsonAsync(created, HttpStatusCode.Created)).GetProperty("value").GetString()!;

        // 4. Confirm connectivity with a token from the new secret.
        var newToken = await GetTokenAsync(http, clientId, newSecret, scope: "credentials.self");
        var connectivity = await OkJsonAsync(await GetAsync(http, "/connectivity", newToken));
        Assert.Equal(clientId, connectivity.GetProperty("client_id").GetString());
        Assert.Contains("credentials.self", connectivity.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));

        // 5. Delete the old secret (204).
        using var deleted = await SendAsync(http, HttpMethod.Delete, $"/api/v1/applications/{clientId}/secrets/{oldId}", newToken);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        // The old secret obtains no token any more, at once; the new one does.
        await AssertErrorAsync(await RequestTokenAsync(http, clientId, clientSecret), HttpStatusCode.Unauthorized, "invalid_client");
        var after = await OkJsonAsync(await GetAsync(http, $"/api/v1/applications/{clientId}", newToken));
        var remaining = Assert.Single(after.GetProperty("secrets").EnumerateArray());
        Assert.Equal("Rotated by script", remaining.GetProperty("name").GetString());
        Assert.Equal(clientId, remaining.GetProperty("createdBy").GetString());
        Assert.DoesNotContain(newSecret, after.GetRawText(), StringComparison.Ordinal);

        // Same rules as the portal: audited with the client_id as actor, the managers told, the token cache informed.
        await using var db = portal.CreateDbContext();
        var events = await db.AuditEvents.Where(e => e.ApplicationId == application.Id && e.EventType.StartsWith("secret.")).OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([AuditEventTypes.SecretCreated, AuditEventTypes.SecretDeleted], events.Select(e => e.EventType));
        Assert.All(events, e => Assert.Equal(clientId, e.Actor));
        Assert.True(await db.CredentialChanges.CountAsync(c => c.ApplicationId == application.Id) >= 3);
        await portal.RunNextPassAsync<OutboxSender>();
        var mails = portal.Mail.To("manager@demoorg.example");
        Assert.Equal(["created", "deleted"], mails.Select(m => m.Subject.Split(' ')[2]));
        Assert.All(mails, m => Assert.Contains(clientId, m.Body, StringComparison.Ordinal));
        Assert.All(mails, m => Assert.DoesNotContain(newSecret, m.Raw, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_integrators_guide_shows_the_walk_through_this_test_drives()
    {
        var guide = await File.ReadAllTextAsync(Path.Combine(RepositoryFolder.Root, "docs", "integrators.md"));
        var section = guide[guide.IndexOf("## Automating rotation", StringComparison.Ordinal)..];
        foreach (var step in new[]
        {
            "-d grant_type=client_credentials -d scope=credentials.self",
            "jq --arg hint \"${CLIENT_SECRET::-46}\" '.secrets[] | select(.hint == $hint and .status == \"active\") | .id'",
            "\"$BASE/api/v1/applications/$CLIENT_ID/secrets\" | jq -r .value",
            "$(date -u -d '+90 days' +%F)",
            "curl -s -H \"Authorization: Bearer $NEW_TOKEN\" \"$BASE/connectivity\"",
            "-X DELETE -H \"Authorization: Bearer $NEW_TOKEN\"",
            "\"$BASE/api/v1/applications/$CLIENT_ID/secrets/$OLD_ID\"",
        })
        {
            Assert.Contains(step, section, StringComparison.Ordinal);
        }
    }
}

using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Throttling;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.TokenService;

public sealed class ThrottlingTests
{
    [Fact]
    public async Task Excessive_token_requests_of_one_client_get_429_with_Retry_After_and_others_are_unaffected()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["TokenService:RateLimit:PermitsPerSecond"] = "0.5",
            ["TokenService:RateLimit:Burst"] = "2",
        });
        using var http = portal.CreateClient();
        var busy = await CreateApplicationAsync(portal);
        var (busySecret, _) = await AddSecretAsync(portal, busy);
        var other = await CreateApplicationAsync(portal);
        var (otherSecret, _) = await AddSecretAsync(portal, other);

        await GetTokenAsync(http, busy.ClientId, busySecret);
        await GetTokenAsync(http, busy.ClientId, busySecret);
        using var limited = await RequestTokenAsync(http, busy.ClientId, busySecret);

        var json = await AssertErrorAsync(limited, HttpStatusCode.TooManyRequests, "slow_down");
        Assert.Contains("token", json.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(2), limited.Headers.RetryAfter?.Delta);
        await GetTokenAsync(http, other.ClientId, otherSecret);

        portal.Time.Advance(TimeSpan.FromSeconds(2));
        await GetTokenAsync(http, busy.ClientId, busySecret);
    }

    [Fact]
    public async Task Repeated_failures_for_one_client_id_are_blocked_and_audited_in_aggregate_without_the_secret()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["TokenService:FailedAuthentication:MaxFailures"] = "5",
            ["TokenService:FailedAuthentication:BlockSeconds"] = "30",
        });
        using var http = portal.CreateClient();
        var attacked = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, attacked);
        var other = await CreateApplicationAsync(portal);
        var (otherSecret, _) = await AddSecretAsync(portal, other);
        const string guess = "guessed-secret-value-XYZ";

        for (var i = 0; i < 4; i++)
        {
            await AssertErrorAsync(await RequestTokenAsync(http, attacked.ClientId, guess), HttpStatusCode.Unauthorized, "invalid_client");
        }

        for (var i = 0; i < 20; i++)
        {
            using var blocked = await RequestTokenAsync(http, attacked.ClientId, guess);
            await AssertErrorAsync(blocked, HttpStatusCode.TooManyRequests, "slow_down");
            Assert.NotNull(blocked.Headers.RetryAfter?.Delta);
        }

        // Other clients are unaffected, and the right secret still works: client_ids are not secret, so a block must
        // not let anyone deny a partner service.
        await AssertErrorAsync(await RequestTokenAsync(http, other.ClientId, "wrong"), HttpStatusCode.Unauthorized, "invalid_client");
        await GetTokenAsync(http, other.ClientId, otherSecret);
        await GetTokenAsync(http, attacked.ClientId, secret);
        await AssertErrorAsync(await RequestTokenAsync(http, "unknown-client", guess), HttpStatusCode.Unauthorized, "invalid_client");

        // Past the block and the failure window; the audit flush that falls due meanwhile writes one row per pair.
        var audit = portal.BackgroundService<AuthenticationFailureAudit>();
        var flushed = audit.NextPass;
        portal.Time.Advance(TimeSpan.FromSeconds(61));
        await flushed;
        await AssertErrorAsync(await RequestTokenAsync(http, attacked.ClientId, guess), HttpStatusCode.Unauthorized, "invalid_client");
        await portal.RunNextPassAsync<AuthenticationFailureAudit>();

        await using var db = portal.CreateDbContext();
        var events = await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.TokenAuthenticationFailed)
            .OrderBy(e => e.Id).ToListAsync();
        var attackedEvents = events.Where(e => e.Actor == attacked.ClientId).ToList();
        Assert.Equal(2, attackedEvents.Count);
        Assert.Contains("reason=wrong_secret count=24", attackedEvents[0].Details, StringComparison.Ordinal);
        Assert.Contains("reason=wrong_secret count=1", attackedEvents[1].Details, StringComparison.Ordinal);
        Assert.All(attackedEvents, e => Assert.Equal(attacked.Id, e.ApplicationId));
        Assert.Single(events, e => e.Actor == other.ClientId);
        Assert.Contains("reason=unknown_client count=1", Assert.Single(events, e => e.Actor == "unknown-client").Details, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => (e.Details ?? "").Contains(guess, StringComparison.Ordinal));
        Assert.Equal(4, events.Count);
    }
}

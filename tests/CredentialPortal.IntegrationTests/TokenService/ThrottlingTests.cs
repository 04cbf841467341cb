using System.Net;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using CredentialPortal.Testing;
using Microsoft.Extensions.DependencyInjection;
using CredentialPortal.TokenService.ClientAuthentication;
using CredentialPortal.TokenService.Throttling;
using Microsoft.EntityFrameworkCore;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

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
        var unknown = SecretGenerator.NewClientId();
        await AssertErrorAsync(await RequestTokenAsync(http, unknown, guess), HttpStatusCode.Unauthorized, "invalid_client");

        // Past the block and the failure window; the audit flush that falls due meanwhile writes one row per pair.
        await portal.RunNextPassAsync<AuthenticationFailureAudit>(advanceBy: TimeSpan.FromSeconds(61));
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
        Assert.Contains("reason=unknown_client count=1", Assert.Single(events, e => e.Actor == unknown).Details, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => (e.Details ?? "").Contains(guess, StringComparison.Ordinal));
        Assert.Equal(4, events.Count);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task A_client_id_that_cannot_exist_is_refused_and_audited_without_a_database_lookup(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        using var http = portal.CreateClient();
        // Without the applications table every lookup fails (500: a missing table is a fault, not an outage), so a
        // 401 involved no lookup.
        await MoveApplicationsTableAsync(portal, away: true);
        try
        {
            using var wellFormed = await RequestTokenAsync(http, SecretGenerator.NewClientId(), "wrong");
            Assert.Equal(HttpStatusCode.InternalServerError, wellFormed.StatusCode);

            foreach (var clientId in new[] { "unknown-client", "0F8FAD5B-D9CB-469F-A165-70867728950E", "nul\0id", new string('x', 5000) })
            {
                await AssertErrorAsync(await RequestTokenAsync(http, clientId, "wrong"), HttpStatusCode.Unauthorized, "invalid_client");
            }
        }
        finally
        {
            await MoveApplicationsTableAsync(portal, away: false);
        }

        await portal.Services.GetRequiredService<AuthenticationFailureAudit>().FlushAsync(CancellationToken.None);
        await using var db = portal.CreateDbContext();
        var malformed = await db.AuditEvents.SingleAsync(e => e.EventType == AuditEventTypes.TokenAuthenticationFailed && e.Actor == ClientAuthenticator.MalformedClientId);
        Assert.Contains("reason=malformed_client_id count=4", malformed.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_that_keeps_failing_is_blocked_before_the_lookup_whatever_client_id_it_sends()
    {
        await using var portal = await PortalFactory.StartAsync(settings: new Dictionary<string, string?>
        {
            ["TokenService:FailedAuthentication:MaxFailuresPerAddress"] = "3",
            ["TokenService:FailedAuthentication:BlockSeconds"] = "30",
        });
        using var http = portal.CreateClient();
        var application = await CreateApplicationAsync(portal);
        var (secret, _) = await AddSecretAsync(portal, application);

        for (var i = 0; i < 2; i++)
        {
            await AssertErrorAsync(await RequestTokenAsync(http, SecretGenerator.NewClientId(), "wrong"), HttpStatusCode.Unauthorized, "invalid_client");
        }

        using var third = await RequestTokenAsync(http, SecretGenerator.NewClientId(), "wrong");
        await AssertErrorAsync(third, HttpStatusCode.TooManyRequests, "slow_down");
        Assert.Equal(TimeSpan.FromSeconds(30), third.Headers.RetryAfter?.Delta);
        await MoveApplicationsTableAsync(portal, away: true);
        try
        {
            // Blocked: no lookup (which would fail with 503 now), not even for a real client_id.
            await AssertErrorAsync(await RequestTokenAsync(http, SecretGenerator.NewClientId(), "wrong"), HttpStatusCode.TooManyRequests, "slow_down");
            await AssertErrorAsync(await RequestTokenAsync(http, application.ClientId, secret), HttpStatusCode.TooManyRequests, "slow_down");
        }
        finally
        {
            await MoveApplicationsTableAsync(portal, away: false);
        }

        portal.Time.Advance(TimeSpan.FromSeconds(31));
        await GetTokenAsync(http, application.ClientId, secret);
    }

    [Fact]
    public async Task The_failure_tally_is_bounded_and_sums_what_it_cannot_hold_into_one_row()
    {
        await using var portal = await PortalFactory.StartAsync();
        var audit = portal.Services.GetRequiredService<AuthenticationFailureAudit>();
        for (var i = 0; i < 500; i++)
        {
            audit.Record($"made-up-{i}", "unknown_client", "192.0.2.1", applicationId: null, organisationId: null);
        }

        // Past the cap a new pair is only counted, however often it fails.
        for (var i = 0; i < 3; i++)
        {
            audit.Record("late-comer", "unknown_client", "192.0.2.1", applicationId: null, organisationId: null);
        }

        await audit.FlushAsync(CancellationToken.None);
        await using var db = portal.CreateDbContext();
        var events = await db.AuditEvents.Where(e => e.EventType == AuditEventTypes.TokenAuthenticationFailed).ToListAsync();
        Assert.Equal(501, events.Count);
        Assert.DoesNotContain(events, e => e.Actor == "late-comer");
        Assert.StartsWith("reason=many_client_ids count=3 ", Assert.Single(events, e => e.Actor == AuditActor.System.Name).Details, StringComparison.Ordinal);
    }

    private static async Task MoveApplicationsTableAsync(PortalFactory portal, bool away)
    {
        await using var db = portal.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync(away
            ? "ALTER TABLE \"Applications\" RENAME TO \"ApplicationsAway\""
            : "ALTER TABLE \"ApplicationsAway\" RENAME TO \"Applications\"");
    }
}

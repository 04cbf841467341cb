using System.Globalization;
using System.Net;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.IntegrationTests.Hosting;
using CredentialPortal.Testing;
using CredentialPortal.TokenService.Clients;
using CredentialPortal.TokenService.Endpoints;
using CredentialPortal.TokenService.Throttling;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;
using static CredentialPortal.Testing.TokenClient;

namespace CredentialPortal.IntegrationTests.TokenService;

/// <summary>
/// The token service while PostgreSQL is unreachable: the app reaches it through a proxy that the test cuts (every
/// connection dropped, new ones refused, as by a stopped server) and restores.
/// </summary>
public sealed class TokenOutageTests
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(600);
    private static readonly TimeSpan StaleIfError = TimeSpan.FromSeconds(1800);

    [Fact]
    public async Task Cached_clients_keep_getting_tokens_past_the_max_age_while_an_uncached_client_gets_503()
    {
        await using var portal = await StartAsync();
        var sink = new CapturingSink();
        await using var host = portal.WithWebHostBuilder(web => web.ConfigureTestServices(s => s.AddSingleton<ILogEventSink>(sink)));
        using var http = host.CreateClient();
        var cached = await CreateApplicationAsync(portal);
        var (cachedSecret, _) = await AddSecretAsync(portal, cached);
        var uncached = await CreateApplicationAsync(portal);
        var (uncachedSecret, _) = await AddSecretAsync(portal, uncached);
        await GetTokenAsync(http, cached.ClientId, cachedSecret);

        portal.DatabaseProxy!.Cut();
        await AssertUnavailableAsync(await RequestTokenAsync(http, uncached.ClientId, uncachedSecret));
        await GetTokenAsync(http, cached.ClientId, cachedSecret);

        // Past ClientCacheMaxAgeSeconds the cached copy would be reloaded; the database being down, it keeps serving.
        portal.Time.Advance(MaxAge + TimeSpan.FromSeconds(1));
        var token = await GetTokenAsync(http, cached.ClientId, cachedSecret);
        Assert.True((await ValidateAgainstJwksAsync(http, token)).IsValid);
        portal.Time.Advance(StaleIfError - TimeSpan.FromSeconds(2));
        await GetTokenAsync(http, cached.ClientId, cachedSecret);

        // Beyond the stale-if-error bound nothing is trusted without the database.
        portal.Time.Advance(TimeSpan.FromSeconds(2));
        await AssertUnavailableAsync(await RequestTokenAsync(http, cached.ClientId, cachedSecret));

        portal.DatabaseProxy.Restore();
        await GetTokenAsync(http, cached.ClientId, cachedSecret);
        await GetTokenAsync(http, uncached.ClientId, uncachedSecret);

        // The outage and its end are logged once each, however many requests met it.
        var cacheLog = sink.Events.Where(e => CapturingSink.Source(e) == typeof(ClientCache).FullName).ToList();
        Assert.Collection(cacheLog,
            e => Assert.Contains("keep getting tokens for up to 1800 s", e.RenderMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal),
            e => Assert.Contains("reachable again", e.RenderMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_secret_disabled_before_the_outage_stays_refused_by_the_stale_copy()
    {
        await using var portal = await StartAsync();
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (disabled, disabledId) = await AddSecretAsync(portal, app);
        var (kept, _) = await AddSecretAsync(portal, app);
        await GetTokenAsync(http, app.ClientId, disabled);
        await SetSecretDisabledAsync(portal, app, disabledId, disabled: true);
        await portal.RunNextPassAsync<CredentialChangePoller>();
        await GetTokenAsync(http, app.ClientId, kept);

        portal.DatabaseProxy!.Cut();
        portal.Time.Advance(MaxAge + TimeSpan.FromSeconds(1));
        await GetTokenAsync(http, app.ClientId, kept);
        var refused = await AssertErrorAsync(await RequestTokenAsync(http, app.ClientId, disabled), HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient);
        Assert.Equal("the client secret is disabled", refused.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task A_change_log_gap_seen_before_the_outage_gets_its_full_patience_after_it()
    {
        await using var portal = await StartAsync();
        var app = await CreateApplicationAsync(portal);
        await AddSecretAsync(portal, app);
        await portal.RunNextPassAsync<CredentialChangePoller>();
        var cache = portal.Services.GetRequiredService<ClientCache>();
        Assert.Single((await cache.FindAsync(app.ClientId, CancellationToken.None))!.Secrets);

        // Another instance's transaction holds change id highest + 1 (its secret is written, its change row not yet
        // visible) while a later id is: the poller waits for the gap.
        long highest;
        await using (var db = portal.CreateDbContext())
        {
            highest = await db.CredentialChanges.MaxAsync(c => c.Id);
            await CredentialChangePollerTests.AddSecretWithoutChangeAsync(db, app.Id, portal.Time.GetUtcNow().UtcDateTime);
            db.CredentialChanges.Add(new CredentialChange { Id = highest + 2, ApplicationId = int.MaxValue, ChangedAt = portal.Time.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync();
        }

        await portal.RunNextPassAsync<CredentialChangePoller>();

        // This instance loses the database for longer than the gap's patience; the other transaction commits as it
        // comes back.
        portal.DatabaseProxy!.Cut();
        portal.Time.Advance(TimeSpan.FromSeconds(10));
        await portal.RunNextPassAsync<CredentialChangePoller>();
        portal.DatabaseProxy.Restore();
        await portal.RunNextPassAsync<CredentialChangePoller>();
        await using (var db = portal.CreateDbContext())
        {
            db.CredentialChanges.Add(new CredentialChange { Id = highest + 1, ApplicationId = app.Id, ChangedAt = portal.Time.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync();
        }

        await portal.RunNextPassAsync<CredentialChangePoller>();
        Assert.Equal(2, (await cache.FindAsync(app.ClientId, CancellationToken.None))!.Secrets.Count);
    }

    [Fact]
    public async Task Failed_authentications_and_last_used_times_of_an_outage_are_written_when_the_database_is_back()
    {
        await using var portal = await StartAsync();
        using var http = portal.CreateClient();
        var app = await CreateApplicationAsync(portal);
        var (secret, secretId) = await AddSecretAsync(portal, app);
        // The poller has seen the arrangement's changes, so the cached client is not evicted by them later.
        await portal.RunNextPassAsync<CredentialChangePoller>();
        await GetTokenAsync(http, app.ClientId, secret);
        await portal.RunNextPassAsync<UsageRecorder>();

        portal.DatabaseProxy!.Cut();
        portal.Time.Advance(TimeSpan.FromMinutes(1));
        var usedDuringOutage = portal.Time.GetUtcNow().UtcDateTime;
        await GetTokenAsync(http, app.ClientId, secret);
        for (var i = 0; i < 3; i++)
        {
            await AssertErrorAsync(await RequestTokenAsync(http, app.ClientId, secret + "x"), HttpStatusCode.Unauthorized, OAuthErrors.InvalidClient);
        }

        // Two passes of each writer fail while the database is down; nothing is dropped.
        for (var i = 0; i < 2; i++)
        {
            await portal.RunNextPassAsync<UsageRecorder>();
            await portal.RunNextPassAsync<AuthenticationFailureAudit>();
        }

        portal.DatabaseProxy.Restore();
        await portal.RunNextPassAsync<UsageRecorder>();
        await portal.RunNextPassAsync<AuthenticationFailureAudit>();

        await using var db = portal.CreateDbContext();
        Assert.Equal(usedDuringOutage, (await db.ClientSecrets.SingleAsync(s => s.Id == secretId)).LastUsedAt);
        Assert.Equal(usedDuringOutage, (await db.Applications.SingleAsync(a => a.Id == app.Id)).LastUsedAt);
        var audited = await db.AuditEvents.SingleAsync(e => e.EventType == AuditEventTypes.TokenAuthenticationFailed);
        Assert.Equal(app.ClientId, audited.Actor);
        Assert.Contains("reason=wrong_secret count=3", audited.Details, StringComparison.Ordinal);
    }

    private static async Task<PortalFactory> StartAsync()
    {
        Providers.SkipIfUnavailable(DatabaseProvider.PostgreSql);
        return await PortalFactory.StartAsync(DatabaseProvider.PostgreSql, databaseProxy: true);
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        await AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, OAuthErrors.TemporarilyUnavailable);
        Assert.Equal(DatabaseOutage.RetryAfter, response.Headers.RetryAfter?.Delta);
    }
}

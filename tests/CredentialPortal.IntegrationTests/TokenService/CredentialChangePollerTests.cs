using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using CredentialPortal.Testing;
using CredentialPortal.TokenService;
using CredentialPortal.TokenService.Clients;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static CredentialPortal.IntegrationTests.TokenService.TokenServiceTestKit;

namespace CredentialPortal.IntegrationTests.TokenService;

public sealed class CredentialChangePollerTests
{
    [Fact]
    public async Task A_change_whose_lower_id_commits_after_a_higher_one_still_evicts()
    {
        await using var portal = await PortalFactory.StartAsync();
        var app = await CreateApplicationAsync(portal);
        await AddSecretAsync(portal, app);
        var contexts = portal.Services.GetRequiredService<IDbContextFactory<CredentialPortalDbContext>>();
        var options = portal.Services.GetRequiredService<IOptions<TokenServiceOptions>>();
        var cache = new ClientCache(contexts, options, portal.Time, NullLogger<ClientCache>.Instance);
        using var poller = new CredentialChangePoller(contexts, cache, options, portal.Time, NullLogger<CredentialChangePoller>.Instance);
        await poller.PollAsync(CancellationToken.None);
        Assert.Single((await cache.FindAsync(app.ClientId, CancellationToken.None))!.Secrets);

        long highest;
        await using (var db = portal.CreateDbContext())
        {
            highest = await db.CredentialChanges.MaxAsync(c => c.Id);
            // A secret added by a transaction whose change row (id highest + 1) is not visible yet, while another
            // transaction's row (highest + 2, an unrelated application) already is.
            await AddSecretWithoutChangeAsync(db, app.Id, portal.Time.GetUtcNow().UtcDateTime);
            db.CredentialChanges.Add(new CredentialChange { Id = highest + 2, ApplicationId = int.MaxValue, ChangedAt = portal.Time.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync();
        }

        await poller.PollAsync(CancellationToken.None);
        Assert.Single((await cache.FindAsync(app.ClientId, CancellationToken.None))!.Secrets);

        await using (var db = portal.CreateDbContext())
        {
            db.CredentialChanges.Add(new CredentialChange { Id = highest + 1, ApplicationId = app.Id, ChangedAt = portal.Time.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync();
        }

        await poller.PollAsync(CancellationToken.None);
        Assert.Equal(2, (await cache.FindAsync(app.ClientId, CancellationToken.None))!.Secrets.Count);
    }

    // PostgreSQL only: SQLite serialises writers, so its ids commit in order; SQL Server's locking reads would wait
    // for the open transaction instead of reading past it.
    [Theory]
    [InlineData(DatabaseProvider.PostgreSql)]
    public async Task A_change_committed_while_the_starting_watermark_is_read_still_evicts(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        var app = await CreateApplicationAsync(portal);
        var other = await CreateApplicationAsync(portal);
        await AddSecretAsync(portal, app);
        var (cache, poller) = NewPoller(portal);
        using var _ = poller;

        // A transaction that has its change-log id but has not committed when a starting instance reads the log,
        // while a later transaction (a higher id) has committed.
        await using var slow = portal.CreateDbContext();
        await using var transaction = await slow.Database.BeginTransactionAsync();
        await AddSecretWithoutChangeAsync(slow, app.Id, portal.Time.GetUtcNow().UtcDateTime);
        slow.RecordCredentialChange(app.Id, portal.Time.GetUtcNow().UtcDateTime);
        await slow.SaveChangesAsync();
        await ChangeAsync(portal, other.Id, _ => Task.CompletedTask);

        await poller.PollAsync(CancellationToken.None);
        Assert.Single((await cache.FindAsync(app.ClientId, CancellationToken.None))!.Secrets);
        await transaction.CommitAsync();
        await poller.PollAsync(CancellationToken.None);

        Assert.Equal(2, (await cache.FindAsync(app.ClientId, CancellationToken.None))!.Secrets.Count);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Gaps_in_the_change_log_ids_are_written_off_together(DatabaseProvider provider)
    {
        Providers.SkipIfUnavailable(provider);
        await using var portal = await PortalFactory.StartAsync(provider);
        var (_, poller) = NewPoller(portal);
        using var _ = poller;
        await poller.PollAsync(CancellationToken.None);
        await poller.PollAsync(CancellationToken.None);
        var start = poller.Watermark!.Value;

        // Three rolled-back transactions: ids start + 1, + 3 and + 5 never appear.
        await using (var db = portal.CreateDbContext())
        {
            foreach (var offset in new[] { 2, 4, 6 })
            {
                db.CredentialChanges.Add(new CredentialChange { Id = start + offset, ApplicationId = int.MaxValue, ChangedAt = portal.Time.GetUtcNow().UtcDateTime });
            }

            await SaveWithExplicitIdsAsync(db, provider);
        }

        await poller.PollAsync(CancellationToken.None);
        Assert.Equal(start, poller.Watermark);
        portal.Time.Advance(TimeSpan.FromSeconds(6));
        await poller.PollAsync(CancellationToken.None);

        Assert.Equal(start + 6, poller.Watermark);
    }

    private static (ClientCache Cache, CredentialChangePoller Poller) NewPoller(PortalFactory portal)
    {
        var contexts = portal.Services.GetRequiredService<IDbContextFactory<CredentialPortalDbContext>>();
        var options = portal.Services.GetRequiredService<IOptions<TokenServiceOptions>>();
        var cache = new ClientCache(contexts, options, portal.Time, NullLogger<ClientCache>.Instance);
        return (cache, new CredentialChangePoller(contexts, cache, options, portal.Time, NullLogger<CredentialChangePoller>.Instance));
    }

    /// <summary>SQL Server accepts explicit values in an identity column only with IDENTITY_INSERT on.</summary>
    private static async Task SaveWithExplicitIdsAsync(CredentialPortalDbContext db, DatabaseProvider provider)
    {
        if (provider != DatabaseProvider.SqlServer)
        {
            await db.SaveChangesAsync();
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlRawAsync("SET IDENTITY_INSERT CredentialChanges ON");
        await db.SaveChangesAsync();
        await db.Database.ExecuteSqlRawAsync("SET IDENTITY_INSERT CredentialChanges OFF");
        await transaction.CommitAsync();
    }

    internal static async Task AddSecretWithoutChangeAsync(CredentialPortalDbContext db, int applicationId, DateTime now)
    {
        var secret = Core.Credentials.SecretGenerator.NewSecret();
        db.ClientSecrets.Add(new Core.Credentials.ClientSecret
        {
            ApplicationId = applicationId,
            Name = "late",
            Hash = secret.Hash,
            Hint = secret.Hint,
            CreatedAt = now,
            CreatedBy = "tests",
            ExpiresAt = now.AddDays(1),
        });
        await db.SaveChangesAsync();
    }
}

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

    internal static async Task AddSecretWithoutChangeAsync(CredentialPortalDbContext db, int applicationId, DateTime now)
    {
        var secret = Core.Secrets.SecretGenerator.NewSecret();
        db.ClientSecrets.Add(new Core.Secrets.ClientSecret
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

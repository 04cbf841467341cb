using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// Deletes the credentials of every kind that expired longer ago than <c>Retention:ExpiredCredentials</c>, each through
/// <see cref="CredentialLifecycle.DeleteExpiredAsync"/> in a unit of work of its own, so that each deletion has the
/// effects of a deletion (change log, audit, webhook) and one failure costs only its own. Run by the retention pass, in
/// any number of instances: the delete is conditional, and a credential another instance deleted first is skipped.
/// </summary>
public sealed class ExpiredCredentialCleanup(IServiceScopeFactory scopes)
{
    /// <summary>Credentials read per query; the ExpiresAt index finds them.</summary>
    public const int PageSize = 100;

    /// <summary>
    /// Deletes what expired before <paramref name="expiredBefore"/> (the caller's now less <paramref name="retention"/>,
    /// which the audit event names); returns how many this call deleted.
    /// </summary>
    public async Task<int> DeleteAsync(DateTime expiredBefore, TimeSpan retention, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        var afterId = 0;
        while (true)
        {
            List<int> page;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
                page = await db.ClientCredentials
                    .Where(c => c.ExpiresAt < expiredBefore && c.Id > afterId)
                    .OrderBy(c => c.Id)
                    .Select(c => c.Id)
                    .Take(PageSize)
                    .ToListAsync(cancellationToken);
            }

            foreach (var id in page)
            {
                deleted += await DeleteOneAsync(id, expiredBefore, retention, cancellationToken) ? 1 : 0;
            }

            if (page.Count < PageSize)
            {
                return deleted;
            }

            afterId = page[^1];
        }
    }

    private async Task<bool> DeleteOneAsync(int id, DateTime expiredBefore, TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CredentialPortalDbContext>();
        var credential = await db.ClientCredentials.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (credential is null)
        {
            return false;
        }

        var application = await db.Applications.SingleAsync(a => a.Id == credential.ApplicationId, cancellationToken);
        return await scope.ServiceProvider.GetRequiredService<CredentialLifecycle>()
            .DeleteExpiredAsync(application, credential, expiredBefore, retention, cancellationToken);
    }
}

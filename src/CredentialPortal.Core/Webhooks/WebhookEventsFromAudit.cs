using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CredentialPortal.Core.Webhooks;

/// <summary>
/// Turns credential changes into webhook messages in the SaveChanges that commits them. An EF interceptor on every
/// context, so no code path can change a credential without its webhooks: an added audit event of a type in
/// <see cref="WebhookEventTypes.FromAudit"/> (every credential change writes one, see <c>SecretManagement</c>), and an
/// application whose <see cref="Application.IsActive"/> goes from true to false. A save with neither costs nothing.
/// </summary>
public sealed class WebhookEventsFromAudit(WebhookOutbox webhooks) : SaveChangesInterceptor
{
    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is CredentialPortalDbContext db)
        {
            await QueueAsync(db, cancellationToken);
        }

        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is CredentialPortalDbContext db)
        {
            // Synchronous saves are rare (the Data Protection key store); there is no synchronization context to deadlock on.
            QueueAsync(db, CancellationToken.None).GetAwaiter().GetResult();
        }

        return result;
    }

    private async Task QueueAsync(CredentialPortalDbContext db, CancellationToken cancellationToken)
    {
        var audited = db.ChangeTracker.Entries<AuditEvent>()
            .Where(e => e.State == EntityState.Added && WebhookEventTypes.FromAudit.ContainsKey(e.Entity.EventType))
            .Select(e => e.Entity)
            .ToList();
        var deactivated = db.ChangeTracker.Entries<Application>()
            .Where(e => e.State == EntityState.Modified && e.Property(a => a.IsActive) is { IsModified: true, OriginalValue: true, CurrentValue: false })
            .Select(e => e.Entity)
            .ToList();
        if (audited.Count == 0 && deactivated.Count == 0)
        {
            return;
        }

        foreach (var auditEvent in audited)
        {
            if (auditEvent.ApplicationId is { } applicationId && await FindAsync<Application>(db, applicationId, cancellationToken) is { } application)
            {
                var credential = auditEvent.CredentialId is { } credentialId ? await FindAsync<ClientCredential>(db, credentialId, cancellationToken) : null;
                await webhooks.QueueAsync(db, WebhookEventTypes.FromAudit[auditEvent.EventType], application, credential,
                    cancellationToken: cancellationToken);
            }
        }

        foreach (var application in deactivated)
        {
            await webhooks.QueueAsync(db, WebhookEventTypes.ApplicationDeactivated, application, null, cancellationToken: cancellationToken);
        }
    }

    /// <summary>The tracked entity in any state (a deleted secret is still tracked until this save), else from the database.</summary>
    private static async ValueTask<T?> FindAsync<T>(CredentialPortalDbContext db, int id, CancellationToken cancellationToken) where T : class
    {
        var tracked = db.ChangeTracker.Entries<T>().FirstOrDefault(e => Equals(e.Property("Id").CurrentValue, id))?.Entity;
        return tracked ?? await db.Set<T>().FindAsync([id], cancellationToken);
    }
}

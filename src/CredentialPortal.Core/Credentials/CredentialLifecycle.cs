using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Credentials;

/// <summary>What became of a disable, enable or delete.</summary>
public enum CredentialChangeOutcome
{
    Changed,

    /// <summary>Nothing to do (e.g. disabling a disabled credential).</summary>
    Unchanged,

    /// <summary>
    /// Refused: the credential is the application's last active one, so the change would stop its API access, and the
    /// caller did not confirm that explicitly.
    /// </summary>
    LastActiveCredential,
}

/// <summary>
/// The rules every kind of credential (secret or key) shares on every path — portal, administration, management API:
/// disable, enable and delete; the last-active-credential rule; and the one commit step every change ends in: the
/// change-log row (every token-service instance evicts the client within a poll), the audit event and the security
/// notification to the credential managers in the same transaction, then, after commit, the local eviction through
/// <see cref="ICredentialChangeListener"/> (this instance answers with the new state from the next request on).
/// </summary>
public sealed partial class CredentialLifecycle(
    CredentialPortalDbContext db,
    AuditLog audit,
    CredentialNotification notification,
    IEnumerable<ICredentialChangeListener> listeners,
    TimeProvider time)
{
    /// <summary>
    /// True when no other credential of the application can obtain tokens (counting secrets and keys, under the
    /// application's authentication policy), and this one can: disabling or deleting it stops the application's API access.
    /// </summary>
    public async Task<bool> IsLastActiveCredentialAsync(Application application, ClientCredential credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(credential);
        var now = time.GetUtcNow().UtcDateTime;
        var policy = application.AllowedKinds;
        if (!credential.IsUsableAt(now) || !policy.Allows(credential.Kind))
        {
            return false;
        }

        return !await db.ClientCredentials
            .Where(c => c.ApplicationId == credential.ApplicationId && c.Id != credential.Id)
            .AnyAsync(CredentialQueries.UsableUnder(policy, now), cancellationToken);
    }

    /// <summary>
    /// Disables the credential. The last active one only with <paramref name="confirmedLastCredential"/>: a person who
    /// confirmed twice may cut the application off; the management API never confirms for itself.
    /// </summary>
    public async Task<CredentialChangeOutcome> DisableAsync(Application application, ClientCredential credential, AuditActor actor,
        bool confirmedLastCredential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(actor);
        if (credential.IsDisabled)
        {
            return CredentialChangeOutcome.Unchanged;
        }

        if (!confirmedLastCredential && await IsLastActiveCredentialAsync(application, credential, cancellationToken))
        {
            return CredentialChangeOutcome.LastActiveCredential;
        }

        credential.DisabledAt = time.GetUtcNow().UtcDateTime;
        credential.DisabledBy = actor.Name;
        await CommitAsync(application, credential, CredentialChangeType.Disabled, actor, cancellationToken: cancellationToken);
        return CredentialChangeOutcome.Changed;
    }

    public async Task<CredentialChangeOutcome> EnableAsync(Application application, ClientCredential credential, AuditActor actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (!credential.IsDisabled)
        {
            return CredentialChangeOutcome.Unchanged;
        }

        credential.DisabledAt = null;
        credential.DisabledBy = null;
        await CommitAsync(application, credential, CredentialChangeType.Enabled, actor, cancellationToken: cancellationToken);
        return CredentialChangeOutcome.Changed;
    }

    /// <summary>Deletes the credential; the last active one only with <paramref name="confirmedLastCredential"/>.</summary>
    public async Task<CredentialChangeOutcome> DeleteAsync(Application application, ClientCredential credential, AuditActor actor,
        bool confirmedLastCredential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (!confirmedLastCredential && await IsLastActiveCredentialAsync(application, credential, cancellationToken))
        {
            return CredentialChangeOutcome.LastActiveCredential;
        }

        db.ClientCredentials.Remove(credential);
        await CommitAsync(application, credential, CredentialChangeType.Deleted, actor, cancellationToken: cancellationToken);
        return CredentialChangeOutcome.Changed;
    }

    /// <summary>
    /// Records that the secret was found in public at <paramref name="location"/> and, with <paramref name="disable"/>,
    /// disables it — the last active credential too: a secret anyone can read must stop working whatever it costs the
    /// application. Committed like every change (change log, so every instance refuses it within a poll; audit
    /// <c>secret.leaked</c>; the leak email; webhook <c>credential.leaked</c>). The caller decides whether it is one to
    /// act on (<see cref="SecretLeaks"/>).
    /// </summary>
    public async Task RecordLeakAsync(Application application, ClientSecret secret, string location, bool disable, AuditActor actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow().UtcDateTime;
        secret.LeakedAt = now;
        secret.LeakLocation = location;
        if (disable)
        {
            secret.DisabledAt = now;
            secret.DisabledBy = actor.Name;
        }

        await CommitAsync(application, secret, CredentialChangeType.Leaked, actor,
            $" found in public at {location}; {(disable ? "disabled" : "left enabled (SecretScanning:OnLeak is Notify)")}", cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Adds a new credential of any kind once its kind's checks passed (<see cref="CredentialRules"/> and its own), and
    /// commits it like every change. Throws <see cref="DbUpdateConcurrencyException"/> when the application changed since it
    /// was loaded (e.g. a concurrent creation); nothing is saved then.
    /// </summary>
    public Task AddAsync(Application application, ClientCredential credential, AuditActor actor, CancellationToken cancellationToken = default) =>
        AddAsync(application, credential, actor, emailManagers: true, cancellationToken);

    private async Task AddAsync(Application application, ClientCredential credential, AuditActor actor, bool emailManagers,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(credential);
        ClaimApplicationVersion(application);
        db.ClientCredentials.Add(credential);
        await CommitAsync(application, credential, CredentialChangeType.Created, actor, emailManagers: emailManagers, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// The one commit step of every credential change: its four effects — change-log row, audit event, email to the
    /// credential managers and webhook messages — with the change, in one transaction (a new credential is saved first
    /// for its id, in the same transaction), then the local eviction. Other than a creation, a change also has the next
    /// reminder pass look at the application's credentials (<see cref="RemindAgainAsync"/>). Without
    /// <paramref name="emailManagers"/> no email: for a change another email of the same action already reports (the
    /// new credential of a rotation), or one that changes no credential that could obtain tokens (a deletion after expiry).
    /// </summary>
    private async Task CommitAsync(Application application, ClientCredential credential, CredentialChangeType change, AuditActor actor,
        string auditDetail = "", ClientCredential? replacement = null, bool emailManagers = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(actor);
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = credential.Id == 0 && db.Database.CurrentTransaction is null
            ? await db.Database.BeginTransactionAsync(cancellationToken)
            : null;
        if (credential.Id == 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        db.RecordCredentialChange(application.Id, now);
        if (change != CredentialChangeType.Created)
        {
            // Enabled, it may have missed a reminder; disabled or deleted, it may have replaced another, whose daily
            // reminders and final notice are due again. A new one only replaces: fewer reminders, nothing sooner.
            await RemindAgainAsync(application.Id, now, cancellationToken);
        }

        var eventType = credential.Kind.Words().Events.For(change);
        audit.Add(eventType, actor, $"{credential.Noun} '{credential.Name}' ({credential.DisplayHint}){auditDetail}",
            organisationId: application.OrganisationId, applicationId: application.Id, credentialId: credential.Id);
        if (emailManagers)
        {
            await notification.QueueAsync(application, credential, change, actor, now, replacement, cancellationToken);
        }

        await Webhooks.WebhookOutbox.QueueAsync(db, now, Webhooks.WebhookEventTypes.FromAudit[eventType], application, credential,
            replacement: replacement, cancellationToken: cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        AfterCommit(application.Id);
    }

    /// <summary>
    /// Has the next reminder pass look at every credential of the application (<see cref="ClientCredential.NextReminderAt"/>
    /// set to <paramref name="now"/>; saved with the caller's change): for a change that can make a reminder due before the
    /// slot the pass would next look at it — a credential enabled, one disabled or deleted, the application activated.
    /// </summary>
    public async Task RemindAgainAsync(int applicationId, DateTime now, CancellationToken cancellationToken = default)
    {
        foreach (var credential in await db.ClientCredentials.Where(c => c.ApplicationId == applicationId).ToListAsync(cancellationToken))
        {
            credential.NextReminderAt = now;
        }
    }

    /// <summary>
    /// Makes the save of a new credential fail with <see cref="DbUpdateConcurrencyException"/> when the application
    /// changed since it was loaded (e.g. a concurrent creation), so that the limit check and the insert are one decision.
    /// </summary>
    private void ClaimApplicationVersion(Application application)
    {
        if (db.Entry(application).State == EntityState.Detached)
        {
            db.Applications.Attach(application);
        }

        application.Version = Guid.NewGuid();
    }

    /// <summary>
    /// The post-commit step on its own, for changes committed elsewhere that decide which credentials obtain tokens
    /// (an application's policy or activation, an organisation's activation): evicts the client locally at once.
    /// </summary>
    public void AfterCommit(int applicationId)
    {
        foreach (var listener in listeners)
        {
            listener.CredentialsChanged(applicationId);
        }
    }
}

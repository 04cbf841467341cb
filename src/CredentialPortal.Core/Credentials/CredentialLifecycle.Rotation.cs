using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;

namespace CredentialPortal.Core.Credentials;

/// <summary>Rotation: a creation that also retires the credential it replaces (<see cref="CredentialRotation"/>).</summary>
public sealed partial class CredentialLifecycle
{
    /// <summary>
    /// Adds <paramref name="credential"/> like <see cref="AddAsync(Application, ClientCredential, AuditActor, CancellationToken)"/>
    /// and, with <paramref name="replaces"/> (checked by <see cref="CredentialRotation.Validate(Application, CredentialReplacement, DateTime)"/>),
    /// in the same transaction moves the replaced credential's expiry to the end of the grace period and commits that as
    /// "rotated": audit, email and webhook name both credentials, the change log has every instance reload the client. The
    /// managers get that one email; the new credential's creation is audited and sent as a webhook, not emailed apart.
    /// </summary>
    public async Task AddAsync(Application application, ClientCredential credential, AuditActor actor, CredentialReplacement? replaces,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(credential);
        if (replaces is null)
        {
            await AddAsync(application, credential, actor, cancellationToken);
            return;
        }

        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        // One action, one email: the "rotated" one names both credentials; the creation keeps its audit event and its
        // own webhook message (a consumer may track each credential by its events).
        await AddAsync(application, credential, actor, emailManagers: false, cancellationToken);
        var (old, grace) = (replaces.Replaced, replaces.Grace);
        old.ExpiresAt = CredentialRotation.GraceEnd(old.ExpiresAt, time.GetUtcNow().UtcDateTime, grace.Period);
        old.ReplacedById = credential.Id;
        old.RetireSecondsAfterReplacementUse = grace.AfterFirstUse is { } afterUse ? (int)afterUse.TotalSeconds : null;
        var afterFirstUse = grace.AfterFirstUse is { } after
            ? $", or {CredentialRotation.Describe(after)} after the new one first obtains a token if sooner"
            : "";
        await CommitAsync(application, old, CredentialChangeType.Rotated, actor,
            $" replaced by {credential.Noun} '{credential.Name}' ({credential.DisplayHint}); it expires at {PortalText.Time(old.ExpiresAt)}{afterFirstUse}",
            credential, cancellationToken: cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
            // The commits above evicted the client before this transaction ended: a request in between may have cached
            // the state before the rotation.
            AfterCommit(application.Id);
        }
    }
}

using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Credentials;

/// <summary>Housekeeping: deleting what expired long ago (<see cref="ExpiredCredentialCleanup"/>).</summary>
public sealed partial class CredentialLifecycle
{
    /// <summary>
    /// Deletes <paramref name="credential"/> when it expired before <paramref name="expiredBefore"/>, committed like every
    /// deletion — change log, audit event by <see cref="AuditActor.System"/>, webhook <c>credential.deleted</c> — but with
    /// no security email: it has obtained no token since it expired, so its deletion changes nobody's access, and a
    /// monthly flood of "deleted" emails would teach managers to ignore the ones that matter. Returns false when it was
    /// not expired long enough, or another instance deleted it first (the delete then affects no row, and nothing of
    /// this commit is saved: one audit event and one webhook message per credential, however many instances run).
    /// </summary>
    public async Task<bool> DeleteExpiredAsync(Application application, ClientCredential credential, DateTime expiredBefore, TimeSpan retention,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (credential.ExpiresAt >= expiredBefore)
        {
            return false;
        }

        db.ClientCredentials.Remove(credential);
        try
        {
            await CommitAsync(application, credential, CredentialChangeType.Deleted, AuditActor.System,
                $" deleted {PortalText.Count((int)retention.TotalDays, "day")} after it expired at {PortalText.Time(credential.ExpiresAt)} (Retention:ExpiredCredentials)",
                emailManagers: false, cancellationToken: cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }
}

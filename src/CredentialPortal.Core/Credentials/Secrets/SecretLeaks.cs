using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Audit;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Credentials;

/// <summary>What a leak report did to the secret it named.</summary>
public enum LeakOutcome
{
    /// <summary>Disabled at once (<see cref="LeakResponse.Disable"/>), its managers told.</summary>
    Disabled,

    /// <summary>Its managers told; still enabled (<see cref="LeakResponse.Notify"/>).</summary>
    Notified,

    /// <summary>Already reported, disabled or expired: it obtains no tokens or its managers know; only logged.</summary>
    AlreadyHandled,
}

/// <summary>
/// The response to a secret found in public, the same for a scanner's alert and a manager's report: an active secret
/// is marked as leaked and, under <see cref="SecretScanningOptions.OnLeak"/> <c>Disable</c>, disabled, all through
/// <see cref="CredentialLifecycle.RecordLeakAsync"/> (every instance refuses it within a poll, the managers and
/// notification addresses are emailed, audit and webhook). A secret that cannot obtain tokens, or whose leak is already
/// recorded (a replayed or repeated alert), is only logged.
/// </summary>
public sealed partial class SecretLeaks(
    CredentialPortalDbContext db,
    CredentialLifecycle lifecycle,
    IOptions<SecretScanningOptions> options,
    TimeProvider time,
    ILogger<SecretLeaks> logger)
{
    public const string LocationField = "Location";

    /// <summary>The stored secret with this value (found by its hash), with its application; null when none has it.</summary>
    public Task<ClientSecret?> FindAsync(string value, CancellationToken cancellationToken = default)
    {
        var hash = SecretGenerator.Hash(value);
        return db.ClientSecrets.Include(s => s.Application).FirstOrDefaultAsync(s => s.Hash == hash, cancellationToken);
    }

    public async Task<LeakOutcome> ReportAsync(Application application, ClientSecret secret, string location, AuditActor actor,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(actor);
        location = location.Length > ClientSecret.MaxLeakLocationLength ? location[..ClientSecret.MaxLeakLocationLength] : location;
        if (secret.IsLeaked || !secret.IsUsableAt(time.GetUtcNow().UtcDateTime))
        {
            LogAlreadyHandled(logger, secret.Id, secret.ApplicationId, location, secret.IsLeaked ? "already reported" : "not active");
            return LeakOutcome.AlreadyHandled;
        }

        var disable = options.Value.OnLeak == LeakResponse.Disable;
        await lifecycle.RecordLeakAsync(application, secret, location, disable, actor, cancellationToken);
        LogLeaked(logger, secret.Id, secret.ApplicationId, location, disable ? "disabled" : "left enabled");
        return disable ? LeakOutcome.Disabled : LeakOutcome.Notified;
    }

    /// <summary>A manager's "where was it found": required, at most the column's length, and never the secret itself.</summary>
    public static (string? Location, string? Error) ValidateLocation(string? location)
    {
        var trimmed = location?.Trim();
        return trimmed switch
        {
            null or "" => (null, "Say where the secret was found: an address, or a few words such as \"pasted in a support ticket\"."),
            { Length: > ClientSecret.MaxLeakLocationLength } => (null, $"Use at most {ClientSecret.MaxLeakLocationLength} characters."),
            _ when SecretFormat.ContainsRecognisable(trimmed) => (null, "Leave the secret itself out: say only where it was found."),
            _ => (trimmed, null),
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secret {CredentialId} of application {ApplicationId} was found in public at {Location}: {Response}")]
    private static partial void LogLeaked(ILogger logger, int credentialId, int applicationId, string location, string response);

    [LoggerMessage(Level = LogLevel.Information, Message = "Secret {CredentialId} of application {ApplicationId} was reported as found in public at {Location}, {Why}: nothing changed")]
    private static partial void LogAlreadyHandled(ILogger logger, int credentialId, int applicationId, string location, string why);
}

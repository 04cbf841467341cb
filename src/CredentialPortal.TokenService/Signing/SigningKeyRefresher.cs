using CredentialPortal.Core.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.TokenService.Signing;

/// <summary>
/// Loads (or creates) the signing keys at start-up, so the first token costs no key generation, and rereads them
/// periodically, so that rotations done by other instances reach this one without a request waiting on the database.
/// </summary>
public sealed partial class SigningKeyRefresher(
    SigningKeyCache keys,
    IOptions<TokenServiceOptions> options,
    TimeProvider time,
    ILogger<SigningKeyRefresher> logger) : PeriodicBackgroundService(TimeSpan.FromSeconds(options.Value.KeyRefreshSeconds), time)
{
    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        try
        {
            await keys.RefreshAsync(force: true, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database may not be migrated yet; a token request refreshes on demand.
            LogRefreshFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loading the signing keys failed; retrying later.")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}

using CredentialPortal.Core.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CredentialPortal.TokenService;

/// <summary>
/// A buffer in memory written to the database on a timer and once more at shutdown, so the token endpoint itself
/// never writes per request. A failed write is logged and that batch dropped: the data is informational or
/// aggregated, and the service must keep running.
/// </summary>
public abstract partial class PeriodicFlushService(TimeSpan interval, TimeProvider time, ILogger logger)
    : PeriodicBackgroundService(interval, time)
{
    /// <summary>What the buffer holds, for the log line when a write fails.</summary>
    protected abstract string BatchDescription { get; }

    public abstract Task FlushAsync(CancellationToken cancellationToken);

    // Nothing is buffered yet at start-up.
    protected override bool RunsAtStartup => false;

    protected override Task RunPassAsync(CancellationToken cancellationToken) => FlushSafelyAsync(cancellationToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushSafelyAsync(cancellationToken);
    }

    private async Task FlushSafelyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            LogFlushFailed(logger, BatchDescription, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Batch} failed; this batch is lost.")]
    private static partial void LogFlushFailed(ILogger logger, string batch, Exception exception);
}

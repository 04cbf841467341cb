using CredentialPortal.Core.Data;
using CredentialPortal.Core.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CredentialPortal.TokenService;

/// <summary>
/// A buffer in memory written to the database on a timer and once more at shutdown, so the token endpoint itself
/// never writes per request. While the database is unreachable (<see cref="DatabaseOutage"/>) a batch that could not be
/// written is merged back into the buffer, whose size each subclass bounds, and written by the first pass after the
/// database is back; the outage and its end are logged once each. Any other failure (a refused write, a bug) is
/// logged and that batch dropped: the data is informational or aggregated, and the service must keep running. What is
/// still buffered when the process stops during an outage is lost.
/// </summary>
public abstract partial class PeriodicFlushService<TBatch>(TimeSpan interval, TimeProvider time, ILogger logger)
    : PeriodicBackgroundService(interval, time)
    where TBatch : class
{
    // Passes never overlap and the shutdown flush runs after the last one, so this needs no synchronisation.
    private bool _keptForOutage;

    /// <summary>What the buffer holds, for the log lines.</summary>
    protected abstract string BatchDescription { get; }

    /// <summary>Takes everything buffered since the last flush (the buffer starts empty again), or null when there is nothing.</summary>
    protected abstract TBatch? TakeBatch();

    protected abstract Task WriteAsync(TBatch batch, CancellationToken cancellationToken);

    /// <summary>Merges a batch that could not be written back into the buffer, within the buffer's bounds.</summary>
    protected abstract void Restore(TBatch batch);

    // Nothing is buffered yet at start-up.
    protected override bool RunsAtStartup => false;

    /// <summary>Writes what was buffered; in an outage it stays buffered and the exception is rethrown.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (TakeBatch() is not { } batch)
        {
            return;
        }

        try
        {
            await WriteAsync(batch, cancellationToken);
        }
        catch (Exception ex) when (DatabaseOutage.IsOutage(ex))
        {
            Restore(batch);
            throw;
        }

        if (_keptForOutage)
        {
            _keptForOutage = false;
            LogWrittenAfterOutage(logger, BatchDescription);
        }
    }

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
        catch (Exception ex) when (DatabaseOutage.IsOutage(ex))
        {
            if (!_keptForOutage)
            {
                _keptForOutage = true;
                LogKeptForOutage(logger, BatchDescription, ex.GetBaseException().Message);
            }
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            LogFlushFailed(logger, BatchDescription, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database is unreachable ({Reason}); {Batch} are kept in memory and written when it is back.")]
    private static partial void LogKeptForOutage(ILogger logger, string batch, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database is back; {Batch} kept during the outage are written.")]
    private static partial void LogWrittenAfterOutage(ILogger logger, string batch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Batch} failed; this batch is lost.")]
    private static partial void LogFlushFailed(ILogger logger, string batch, Exception exception);
}

using CredentialPortal.Core.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Reminders;

/// <summary>
/// Runs a <see cref="ReminderPass"/> and an <see cref="UnusedCredentialsDigest"/> pass at start-up and then every
/// <see cref="ReminderOptions.Interval"/>; the email outbox delivers.
/// </summary>
public sealed partial class ReminderService(
    ReminderPass pass,
    UnusedCredentialsDigest digest,
    IOptions<ReminderOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ReminderService> logger) : PeriodicBackgroundService(options.Value.Interval, time)
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            LogDisabled();
            return;
        }

        // The links in reminders may name the address the server listens on (Portal:BaseUrl unset in Development),
        // which exists only once the server has started: the start-up pass waits for it.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            try
            {
                await started.Task.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }

        await base.ExecuteAsync(stoppingToken);
    }

    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        try
        {
            var claimed = await pass.RunAsync(cancellationToken);
            if (claimed > 0)
            {
                LogPass(claimed);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A database or mail outage must not end the service: the next pass picks the work up again.
            LogPassFailed(ex);
        }

        try
        {
            var digests = await digest.RunAsync(cancellationToken);
            if (digests > 0)
            {
                LogDigests(digests);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogDigestFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder service is switched off (Reminders:Enabled=false)")]
    private partial void LogDisabled();

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder pass: {Claimed} reminder(s) queued in the email outbox")]
    private partial void LogPass(int claimed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reminder pass failed; the next pass retries")]
    private partial void LogPassFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unused-credentials digest: {Queued} email(s) queued in the email outbox")]
    private partial void LogDigests(int queued);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unused-credentials digest failed; the next pass retries")]
    private partial void LogDigestFailed(Exception ex);
}

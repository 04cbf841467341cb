using CredentialPortal.Core.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Reminders;

/// <summary>Runs a <see cref="ReminderPass"/> at start-up and then every <see cref="ReminderOptions.Interval"/>.</summary>
public sealed partial class ReminderService(
    ReminderPass pass,
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
            var result = await pass.RunAsync(cancellationToken);
            if (result is not { Claimed: 0, Sent: 0, Retrying: 0, Failed: 0, Dropped: 0 })
            {
                LogPass(result.Claimed, result.Sent, result.Retrying, result.Failed, result.Dropped);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A database or mail outage must not end the service: the next pass picks the work up again.
            LogPassFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder service is switched off (Reminders:Enabled=false)")]
    private partial void LogDisabled();

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder pass: {Claimed} claimed, {Sent} sent, {Retrying} retrying, {Failed} failed, {Dropped} dropped")]
    private partial void LogPass(int claimed, int sent, int retrying, int failed, int dropped);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reminder pass failed; the next pass retries")]
    private partial void LogPassFailed(Exception ex);
}

using CredentialPortal.Core.Email;
using CredentialPortal.Core.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Outbox;

/// <summary>
/// Delivers the outbox, emails and webhooks alike: an <see cref="OutboxPass"/> at start-up, whenever this instance
/// commits a new message (<see cref="OutboxWakeUp"/>), and every <see cref="OutboxOptions.PollInterval"/> for retries
/// and for messages other instances queued. Stopping the host cancels the send in progress and releases its lease.
/// </summary>
public sealed partial class OutboxSender(
    OutboxPass pass,
    OutboxWakeUp wakeUp,
    IOptions<EmailOptions> email,
    TimeProvider time,
    ILogger<OutboxSender> logger) : PeriodicBackgroundService(email.Value.Outbox.PollInterval, time)
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!email.Value.Outbox.Enabled)
        {
            LogDisabled();
            return Task.CompletedTask;
        }

        return base.ExecuteAsync(stoppingToken);
    }

    protected override Task WaitForWakeUpAsync(CancellationToken cancellationToken) => wakeUp.WaitAsync(cancellationToken);

    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        // Before reading: a message committed while this pass runs wakes the next one.
        wakeUp.Reset();
        try
        {
            var result = await pass.RunAsync(cancellationToken);
            if (result is not { Sent: 0, Retrying: 0, Failed: 0, Dropped: 0 })
            {
                LogPass(result.Sent, result.Retrying, result.Failed, result.Dropped);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A database or mail outage must not end the service: the next pass picks the work up again.
            LogPassFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox sender is switched off (Email:Outbox:Enabled=false)")]
    private partial void LogDisabled();

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox pass: {Sent} sent, {Retrying} retrying, {Failed} failed, {Dropped} dropped")]
    private partial void LogPass(int sent, int retrying, int failed, int dropped);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox pass failed; the next pass retries")]
    private partial void LogPassFailed(Exception ex);
}

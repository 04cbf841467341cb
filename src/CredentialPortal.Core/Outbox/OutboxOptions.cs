using System.ComponentModel.DataAnnotations;
using CredentialPortal.Core.Email;

namespace CredentialPortal.Core.Outbox;

/// <summary>Configuration section <c>Email:Outbox</c> (<see cref="EmailOptions.Outbox"/>): the background sender that delivers every email and webhook message (the section kept its name from when it sent only emails).</summary>
public sealed class OutboxOptions
{
    /// <summary>
    /// Run the sender in this instance (default true). Any number of instances may run it against one database; an
    /// instance with it switched off still queues messages, which the others deliver.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Time between two passes when nothing wakes the sender (default 10 s). A request that queues a message wakes the
    /// sender of its own instance at once; this interval bounds the delay for retries and for messages queued elsewhere.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait before the first retry of a message the receiver did not accept; doubled on each further failure.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between two retries (default 1 hour).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Attempts before a message is given up as failed (default 12, about six hours with the default delays). A permanent
    /// refusal (an SMTP 5xx, a webhook 4xx) fails it at once. Failed messages are logged and audited; failed emails are
    /// counted on the administrators' dashboard.
    /// </summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 12;

    /// <summary>
    /// How long an instance owns a message it is sending (default 5 minutes), renewed every third of it while the send
    /// lasts. Another instance takes over a message whose owner died once this has passed. Must be at least
    /// <c>Email:Smtp:TimeoutMilliseconds</c>, or a slow send could outlive its lease and be sent twice.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "1.00:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Due messages read per database round trip (default 100).</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>The wait before attempt <paramref name="failedAttempts"/> + 1: exponential, capped at <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryDelay(int failedAttempts)
    {
        var exponent = Math.Clamp(failedAttempts - 1, 0, 30);
        var delay = RetryBaseDelay * Math.Pow(2, exponent);
        return delay < RetryMaxDelay ? delay : RetryMaxDelay;
    }
}

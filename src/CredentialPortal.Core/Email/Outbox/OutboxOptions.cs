using System.ComponentModel.DataAnnotations;

namespace CredentialPortal.Core.Email.Outbox;

/// <summary>Configuration section <c>Email:Outbox</c> (<see cref="EmailOptions.Outbox"/>): the background sender that delivers every email.</summary>
public sealed class OutboxOptions
{
    /// <summary>
    /// Run the sender in this instance (default true). Any number of instances may run it against one database; an
    /// instance with it switched off still queues emails, which the others deliver.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Time between two passes when nothing wakes the sender (default 10 s). A request that queues an email wakes the
    /// sender of its own instance at once; this interval bounds the delay for retries and for emails queued elsewhere.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait before the first retry of an email the mail server did not accept; doubled on each further failure.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between two retries (default 1 hour).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Attempts before an email is given up as failed (default 12, about six hours with the default delays). A permanent
    /// refusal (5xx) fails it at once. Failed emails are logged, audited and counted on the administrators' dashboard.
    /// </summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 12;

    /// <summary>
    /// How long an instance owns an email it is sending (default 5 minutes), renewed every third of it while the send
    /// lasts. Another instance takes over an email whose owner died once this has passed. Must be at least
    /// <c>Email:Smtp:TimeoutMilliseconds</c>, or a slow send could outlive its lease and be sent twice.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "1.00:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Due emails read per database round trip (default 100).</summary>
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

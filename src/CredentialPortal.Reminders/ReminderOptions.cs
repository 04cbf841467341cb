using System.ComponentModel.DataAnnotations;

namespace CredentialPortal.Reminders;

/// <summary>Configuration section <c>Reminders</c>: the expiry-reminder background service.</summary>
public sealed class ReminderOptions
{
    public const string SectionName = "Reminders";

    /// <summary>
    /// Run the reminder service in this instance (default true). Switch it off on instances that should only serve
    /// tokens; any number of instances may run it against one database.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between two reminder passes (default 15 minutes); a pass also runs at start-up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Reminders:Interval must be between 1 second and 1 day.")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Wait before the first retry of a reminder the mail server did not accept; doubled on each further failure.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Reminders:RetryBaseDelay must be between 1 second and 1 day.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between two retries (default 1 hour).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "Reminders:RetryMaxDelay must be between 1 second and 7 days.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Attempts before a reminder is given up as failed (default 12, about six hours with the default delays).
    /// A permanent refusal (5xx) fails it at once. Failed reminders are logged and audited.
    /// </summary>
    [Range(1, 100, ErrorMessage = "Reminders:MaxAttempts must be between 1 and 100.")]
    public int MaxAttempts { get; set; } = 12;

    /// <summary>
    /// How long an instance owns a reminder it is sending (default 5 minutes). If the instance crashes, another one
    /// takes the reminder over after this time; keep it well above the SMTP timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "Reminders:ClaimLease must be between 10 seconds and 1 day.")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Rows read or claimed per database round trip (default 500); bounds the memory of a pass.</summary>
    [Range(1, 10_000, ErrorMessage = "Reminders:BatchSize must be between 1 and 10000.")]
    public int BatchSize { get; set; } = 500;

    /// <summary>The wait before attempt <paramref name="failedAttempts"/> + 1: exponential, capped at <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryDelay(int failedAttempts)
    {
        var exponent = Math.Clamp(failedAttempts - 1, 0, 30);
        var delay = RetryBaseDelay * Math.Pow(2, exponent);
        return delay < RetryMaxDelay ? delay : RetryMaxDelay;
    }
}

using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Retention;

/// <summary>
/// Configuration section <c>Retention</c>: how long records that only grow are kept before <see cref="RetentionPass"/>
/// deletes them. Durations are in .NET's <c>d.hh:mm:ss</c> form, e.g. <c>30.00:00:00</c>.
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>
    /// The shortest <see cref="SentMessages"/>: the reminder pass reads a credential's latest reminder to know which
    /// reminder it already sent, and one reminder stays the one due for at most 21 days (from 42 to 22 days before
    /// expiry), so a shorter retention could send it twice.
    /// </summary>
    public const string MinimumSentMessages = "22.00:00:00";

    /// <summary>Prune in this instance (default true). Any number of instances may; each batch is a separate statement.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Emails and webhook messages the outbox is done with (sent, failed or dropped), counted from when they were
    /// queued (default 30 days). Pending messages are never deleted.
    /// </summary>
    [Range(typeof(TimeSpan), MinimumSentMessages, "36500.00:00:00")]
    public TimeSpan SentMessages { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The delivery attempts listed on a webhook endpoint's page (default 30 days).</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "36500.00:00:00")]
    public TimeSpan WebhookDeliveries { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Daily usage counts (tokens per credential, failed authentications per reason), counted from their day (default
    /// 400 days: a year and a month, so that a year ago today is still there to compare with).
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "36500.00:00:00")]
    public TimeSpan UsageCounts { get; set; } = TimeSpan.FromDays(400);

    /// <summary>
    /// Credentials of every kind (secrets, keys, federated identities past their review date), counted from their expiry
    /// (default 90 days): long enough to see in the list what expired and why, then deleted like a manager's deletion —
    /// audited by "system", a <c>credential.deleted</c> webhook — but without a security email, since nothing that
    /// obtained tokens changes (<see cref="Credentials.ExpiredCredentialCleanup"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "36500.00:00:00")]
    public TimeSpan ExpiredCredentials { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Audit events: kept for good unless set, e.g. <c>2557.00:00:00</c> for seven years.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "36500.00:00:00")]
    public TimeSpan? AuditEvents { get; set; }

    /// <summary>Rows deleted per statement (default 1,000): small enough that a batch never holds the database for long.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1000;
}

[OptionsValidator]
internal sealed partial class RetentionOptionsValidator : IValidateOptions<RetentionOptions>;

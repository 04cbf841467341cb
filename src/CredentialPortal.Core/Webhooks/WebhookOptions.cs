using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Webhooks;

/// <summary>Configuration section <c>Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Accept <c>http://</c> endpoints outside Development (default false: HTTPS only). For closed test networks; a
    /// webhook over plain HTTP can be read and replayed on the way.
    /// </summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Let every endpoint reach loopback, link-local and private addresses (default false). An administrator can allow
    /// it for single endpoints instead, on the endpoint's registration.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long one delivery may take, response headers included (default 5 s); a slower receiver is retried later.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Messages given up in a row (each after its retries, or at once when refused) before the endpoint is disabled (default 5).</summary>
    [Range(1, 1000)]
    public int DisableAfterFailures { get; set; } = 5;

    /// <summary>
    /// After a signing secret is rotated, how long deliveries are signed with the previous secret as well as the new one
    /// (default 24 hours): a day lets the receiver's owners deploy the new secret in their next working day, wherever
    /// they are, without missing a message; shorter makes a leaked old secret useless sooner.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan SecretRotationOverlap { get; set; } = TimeSpan.FromHours(24);
}

[OptionsValidator]
internal sealed partial class WebhookOptionsValidator : IValidateOptions<WebhookOptions>;

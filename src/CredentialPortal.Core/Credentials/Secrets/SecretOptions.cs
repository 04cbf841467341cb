using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Core.Credentials;

/// <summary>Configuration section <c>Secrets</c>.</summary>
public sealed class SecretOptions : IValidatableObject
{
    public const string SectionName = "Secrets";

    /// <summary>
    /// The start of every new secret (<see cref="SecretFormat"/>), default <c>cpsk</c>: an operator chooses its own, so that
    /// scanners tell its secrets from other portals'. Changing it later leaves existing secrets working.
    /// </summary>
    public string Prefix { get; set; } = SecretFormat.DefaultPrefix;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!SecretFormat.IsValidPrefix(Prefix))
        {
            yield return new ValidationResult(
                $"Secrets:Prefix must be 2 to {SecretFormat.MaxPrefixLength} lowercase letters and digits, starting with a letter (e.g. {SecretFormat.DefaultPrefix}).");
        }
    }
}

[OptionsValidator]
internal sealed partial class SecretOptionsValidator : IValidateOptions<SecretOptions>;

/// <summary>What happens to an active secret reported as found in public (<see cref="SecretScanningOptions.OnLeak"/>).</summary>
public enum LeakResponse
{
    /// <summary>Disabled at once on every instance, and its managers told.</summary>
    Disable,

    /// <summary>Its managers told; it keeps working until they act.</summary>
    Notify,
}

/// <summary>Configuration section <c>SecretScanning</c>.</summary>
public sealed class SecretScanningOptions
{
    public const string SectionName = "SecretScanning";

    /// <summary>What a leak report does to an active secret (default <see cref="LeakResponse.Disable"/>).</summary>
    public LeakResponse OnLeak { get; set; } = LeakResponse.Disable;

    /// <summary>Section <c>SecretScanning:GitHub</c>: GitHub's secret-scanning partner alerts.</summary>
    [ValidateObjectMembers]
    public GitHubScanningOptions GitHub { get; set; } = new();
}

/// <summary>Section <c>SecretScanning:GitHub</c>.</summary>
public sealed class GitHubScanningOptions
{
    public const string PublishedKeysUrl = "https://api.github.com/meta/public_keys/secret_scanning";

    /// <summary>Where GitHub publishes the public keys its alerts are signed with.</summary>
    [Required]
    [Url]
    public string KeysUrl { get; set; } = PublishedKeysUrl;

    /// <summary>Let the key fetch reach loopback and private addresses (default false; for tests and closed networks).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long fetched keys are used before they are fetched again (default 1 hour).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan KeysCacheDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The shortest time between two fetches for an unknown key id (default 1 minute): whoever names made-up key ids
    /// cannot make us fetch GitHub's keys more often.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan UnknownKeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Alerts accepted per client address and minute (default 60); more get 429.</summary>
    [Range(1, 100000)]
    public int RequestsPerMinute { get; set; } = 60;
}

[OptionsValidator]
internal sealed partial class SecretScanningOptionsValidator : IValidateOptions<SecretScanningOptions>;

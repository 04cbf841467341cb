using CredentialPortal.Core.Applications;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// One client secret of an application. Only the SHA-256 hash and the hint (<see cref="SecretFormat.HintOf"/>) are
/// stored; the value is shown once by the response that created it.
/// </summary>
public sealed class ClientSecret : ClientCredential
{
    public const int MaxLeakLocationLength = 1000;

    public ClientSecret() => Kind = CredentialKind.Secret;

    /// <summary>When the secret was reported as found in public (a scanner's alert or a manager's report), or null.</summary>
    public DateTime? LeakedAt { get; set; }

    /// <summary>Where it was found: the address a scanner reported, or what the manager who reported it wrote.</summary>
    public string? LeakLocation { get; set; }

    public bool IsLeaked => LeakedAt is not null;

    public Application Application { get; set; } = null!;

    /// <summary>SHA-256 of the UTF-8 secret value (32 bytes), see <see cref="SecretGenerator.Hash"/>.</summary>
    public required byte[] Hash { get; init; }
}

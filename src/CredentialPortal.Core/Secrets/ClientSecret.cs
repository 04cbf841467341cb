using CredentialPortal.Core.Applications;

namespace CredentialPortal.Core.Secrets;

public enum SecretStatus
{
    Active,
    Disabled,
    Expired,
}

/// <summary>
/// One client secret of an application. Only the SHA-256 hash and the first three characters (the hint)
/// are stored; the value is shown once by the response that created it.
/// </summary>
public sealed class ClientSecret
{
    public const int MaxNameLength = 100;

    public int Id { get; set; }

    public int ApplicationId { get; set; }
    public Application Application { get; set; } = null!;

    public required string Name { get; set; }

    /// <summary>SHA-256 of the UTF-8 secret value (32 bytes), see <see cref="SecretGenerator.Hash"/>.</summary>
    public required byte[] Hash { get; init; }

    /// <summary>The first <see cref="SecretGenerator.HintLength"/> characters of the value.</summary>
    public required string Hint { get; init; }

    public DateTime CreatedAt { get; init; }

    /// <summary>Who created it: a user's email or a client_id (management API).</summary>
    public required string CreatedBy { get; init; }

    /// <summary>From this instant (UTC) the secret no longer obtains tokens.</summary>
    public DateTime ExpiresAt { get; init; }

    public DateTime? DisabledAt { get; set; }
    public string? DisabledBy { get; set; }

    /// <summary>The last time a token was issued with this secret (flushed in batches).</summary>
    public DateTime? LastUsedAt { get; set; }

    public bool IsDisabled => DisabledAt is not null;

    public SecretStatus StatusAt(DateTime now) => StatusOf(DisabledAt, ExpiresAt, now);

    /// <summary>The status rule, also for projections that do not load the entity.</summary>
    public static SecretStatus StatusOf(DateTime? disabledAt, DateTime expiresAt, DateTime now) =>
        disabledAt is not null ? SecretStatus.Disabled
        : expiresAt <= now ? SecretStatus.Expired
        : SecretStatus.Active;

    public bool IsUsableAt(DateTime now) => StatusAt(now) == SecretStatus.Active;
}

using CredentialPortal.Core.Applications;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// One client secret of an application. Only the SHA-256 hash and the first three characters (the hint)
/// are stored; the value is shown once by the response that created it.
/// </summary>
public sealed class ClientSecret : ClientCredential
{
    public ClientSecret() => Kind = CredentialKind.Secret;

    public Application Application { get; set; } = null!;

    /// <summary>SHA-256 of the UTF-8 secret value (32 bytes), see <see cref="SecretGenerator.Hash"/>.</summary>
    public required byte[] Hash { get; init; }
}

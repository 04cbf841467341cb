using System.Security.Cryptography;
using System.Text;

namespace CredentialPortal.Core.Credentials;

/// <summary>A freshly generated secret: the value (shown once) and what is stored of it.</summary>
public sealed record GeneratedSecret(string Value, byte[] Hash, string Hint);

/// <summary>
/// Generates client secrets (in the <see cref="SecretFormat"/>) and client ids from the operating system's CSPRNG and
/// hashes secrets. A generated secret carries 256 bits of entropy, so a single SHA-256 is a sound verifier: key
/// stretching protects guessable passwords, not random keys, and would cap the token endpoint's throughput.
/// </summary>
public static class SecretGenerator
{
    public static GeneratedSecret NewSecret(string prefix = SecretFormat.DefaultPrefix)
    {
        var value = SecretFormat.NewValue(prefix);
        return new GeneratedSecret(value, Hash(value), SecretFormat.HintOf(value));
    }

    public static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    /// <summary>A new client_id: a random UUID, so ids are unguessable and never reused.</summary>
    public static string NewClientId() => Guid.NewGuid().ToString("D");

    /// <summary>
    /// Whether the value has the shape <see cref="NewClientId"/> gives every client_id (36 characters, lowercase hex
    /// and hyphens): anything else cannot name an application, so it needs no lookup.
    /// </summary>
    public static bool IsWellFormedClientId(string? value) =>
        value is { Length: 36 } && Guid.TryParseExact(value, "D", out _) && !value.AsSpan().ContainsAnyInRange('A', 'F');
}

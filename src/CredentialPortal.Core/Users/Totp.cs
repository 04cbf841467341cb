using System.Globalization;
using System.Security.Cryptography;

namespace CredentialPortal.Core.Users;

/// <summary>
/// RFC 6238 time-based one-time passwords as standard authenticator apps make them: HMAC-SHA-1, 6 digits,
/// 30-second steps from the Unix epoch (RFC 4226 dynamic truncation).
/// </summary>
public static class Totp
{
    public const int Digits = 6;
    public const int StepSeconds = 30;

    /// <summary>The RFC 6238 time step (T) that contains the given instant.</summary>
    public static long TimeStepAt(DateTimeOffset instant) => instant.ToUnixTimeSeconds() / StepSeconds;

    /// <summary>The code for one time step, zero-padded to <see cref="Digits"/> digits.</summary>
    public static string Compute(ReadOnlySpan<byte> key, long timeStep)
    {
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, timeStep);
        Span<byte> hash = stackalloc byte[HMACSHA1.HashSizeInBytes];
        // SHA-1 is what RFC 6238 authenticators use; HMAC-SHA-1 is not affected by SHA-1 collisions.
#pragma warning disable CA5350
        HMACSHA1.HashData(key, counter, hash);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0F;
        var binary = ((hash[offset] & 0x7F) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Strips the spaces and hyphens people type; <c>null</c> when what is left is not exactly six digits.
    /// </summary>
    public static string? Normalize(string? code)
    {
        if (code is null)
        {
            return null;
        }

        var digits = code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return digits.Length == Digits && digits.All(char.IsAsciiDigit) ? digits : null;
    }

    /// <summary>Constant-time comparison of two codes.</summary>
    public static bool CodesEqual(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(expected), System.Text.Encoding.ASCII.GetBytes(actual));
}

using System.Buffers;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// The recognisable form of a client secret, <c>&lt;prefix&gt;_&lt;random&gt;&lt;checksum&gt;</c>: a prefix that names the
/// issuer (<see cref="SecretOptions.Prefix"/>), <see cref="RandomLength"/> base62 characters from the CSPRNG (256 bits),
/// and the CRC32 (ISO-HDLC, as zlib computes it) of the UTF-8 bytes of everything before it, in base62, left-padded with
/// <c>0</c> to <see cref="ChecksumLength"/> characters. Scanners find secrets by the prefix and the fixed length, and
/// tell a real one from a look-alike by the checksum without asking us; the token endpoint refuses a mistyped or
/// truncated one without a database lookup.
/// </summary>
public static partial class SecretFormat
{
    public const string DefaultPrefix = "cpsk";
    public const int MaxPrefixLength = 16;

    /// <summary>43 base62 characters carry 43 × log2(62) ≈ 256.03 bits.</summary>
    public const int RandomLength = 43;

    /// <summary>62^6 ≈ 5.7 × 10^10 holds every 32-bit value.</summary>
    public const int ChecksumLength = 6;

    /// <summary>The characters after the separator: the random part and the checksum.</summary>
    public const int TailLength = RandomLength + ChecksumLength;

    /// <summary>How many characters of the random part the hint shows after the prefix.</summary>
    public const int HintRandomCharacters = 3;

    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly SearchValues<char> Base62Characters = SearchValues.Create(Base62);

    /// <summary>What an operator may choose as prefix: 2 to 16 lowercase letters and digits, starting with a letter.</summary>
    public static bool IsValidPrefix(string? prefix) =>
        prefix is { Length: >= 2 and <= MaxPrefixLength } && prefix[0] is >= 'a' and <= 'z'
        && prefix.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9'));

    /// <summary>The regular expression to register with secret scanners for secrets with this prefix.</summary>
    public static string ScannerPattern(string prefix) => $@"\b{prefix}_[0-9A-Za-z]{{{TailLength}}}\b";

    /// <summary>Whether <paramref name="text"/> holds something shaped like a secret of any prefix (checksum or not).</summary>
    public static bool ContainsRecognisable(string text) => Anywhere().IsMatch(text);

    [GeneratedRegex(@"[a-z][a-z0-9]{1,15}_[0-9A-Za-z]{49}", RegexOptions.CultureInvariant)]
    private static partial Regex Anywhere();

    /// <summary>A new secret value with the prefix, 256 random bits and the checksum.</summary>
    public static string NewValue(string prefix)
    {
        if (!IsValidPrefix(prefix))
        {
            throw new ArgumentException("Not a valid secret prefix.", nameof(prefix));
        }

        var body = prefix + "_" + RandomNumberGenerator.GetString(Base62, RandomLength);
        return body + Checksum(body);
    }

    /// <summary>CRC32 of the UTF-8 bytes of <paramref name="body"/>, in base62, left-padded with <c>0</c> to six characters.</summary>
    public static string Checksum(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var crc = Crc32.HashToUInt32(Encoding.UTF8.GetBytes(body));
        Span<char> digits = stackalloc char[ChecksumLength];
        for (var i = ChecksumLength - 1; i >= 0; i--)
        {
            digits[i] = Base62[(int)(crc % 62)];
            crc /= 62;
        }

        return new string(digits);
    }

    /// <summary>
    /// Whether the value has the recognisable shape, whatever its prefix (one chosen before the operator changed it
    /// keeps working): a valid prefix, <c>_</c> and <see cref="TailLength"/> base62 characters. Secrets made before this
    /// format (43 base64url characters) never have it.
    /// </summary>
    public static bool IsRecognisable(string? value) =>
        value is { Length: > TailLength + 1 } && value[^(TailLength + 1)] == '_'
        && IsValidPrefix(value[..^(TailLength + 1)]) && value.AsSpan(value.Length - TailLength).IndexOfAnyExcept(Base62Characters) < 0;

    /// <summary>Whether a recognisable value's checksum matches: false means mistyped, truncated or made up.</summary>
    public static bool ChecksumMatches(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return IsRecognisable(value) && Checksum(value[..^ChecksumLength]) == value[^ChecksumLength..];
    }

    /// <summary>What identifies a secret to people: a recognisable one's prefix and first random characters, an older one's first three.</summary>
    public static string HintOf(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return IsRecognisable(value)
            ? value[..(value.Length - TailLength + HintRandomCharacters)]
            : value[..HintRandomCharacters];
    }
}

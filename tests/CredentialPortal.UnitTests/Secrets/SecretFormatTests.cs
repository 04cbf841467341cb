using System.Text.RegularExpressions;
using CredentialPortal.Core.Credentials;

namespace CredentialPortal.UnitTests.Secrets;

public sealed class SecretFormatTests
{
    [Fact]
    public void The_checksum_is_zlibs_CRC32_in_base62_padded_to_six()
    {
        // CRC32("123456789") = 0xCBF43926 = 3421780262 (the ISO-HDLC check value, as zlib computes it); in base62 3jZRME.
        Assert.Equal("3jZRME", SecretFormat.Checksum("123456789"));
        // CRC32("") = 0: all padding.
        Assert.Equal("000000", SecretFormat.Checksum(""));
    }

    [Fact]
    public void A_new_value_is_prefix_underscore_43_random_base62_and_the_checksum_of_the_rest()
    {
        var value = SecretFormat.NewValue("cpsk");

        Assert.Equal("cpsk_".Length + 43 + 6, value.Length);
        Assert.StartsWith("cpsk_", value, StringComparison.Ordinal);
        Assert.Equal(SecretFormat.Checksum(value[..^6]), value[^6..]);
        Assert.Matches(new Regex(SecretFormat.ScannerPattern("cpsk")), $"secret = \"{value}\"");
        // 43 base62 characters carry at least 256 bits.
        Assert.True(43 * Math.Log2(62) >= 256);
    }

    [Fact]
    public void A_changed_character_breaks_the_checksum()
    {
        var value = SecretFormat.NewValue("cpsk");
        var changed = value[..10] + (value[10] == 'a' ? 'b' : 'a') + value[11..];

        Assert.True(SecretFormat.ChecksumMatches(value));
        Assert.True(SecretFormat.IsRecognisable(changed));
        Assert.False(SecretFormat.ChecksumMatches(changed));
        Assert.False(SecretFormat.IsRecognisable(value[..^1]));
    }

    [Theory]
    [InlineData("x4Yb2f0T3Zk9yS6qW8pLm1Nv7Rr5Cu0Ae2Dg4Fh6Jk8", "older secrets: 43 base64url characters")]
    [InlineData("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "another product's format")]
    [InlineData("CPSK_0123456789012345678901234567890123456789012345678", "an upper-case prefix")]
    public void Other_shapes_are_not_recognisable(string value, string why) =>
        Assert.False(SecretFormat.IsRecognisable(value), why);

    [Theory]
    [InlineData("cpsk", true)]
    [InlineData("wmda", true)]
    [InlineData("a", false)]
    [InlineData("1abc", false)]
    [InlineData("Cpsk", false)]
    [InlineData("cp-sk", false)]
    [InlineData("abcdefghijklmnopq", false)]
    public void Prefixes_are_2_to_16_lowercase_letters_and_digits(string prefix, bool valid) =>
        Assert.Equal(valid, SecretFormat.IsValidPrefix(prefix));

    [Fact]
    public void The_hint_shows_the_prefix_and_three_random_characters_or_an_older_secrets_first_three()
    {
        var value = SecretFormat.NewValue("cpsk");

        Assert.Equal(value[..8], SecretFormat.HintOf(value));
        Assert.Equal("x4Y", SecretFormat.HintOf("x4Yb2f0T3Zk9yS6qW8pLm1Nv7Rr5Cu0Ae2Dg4Fh6Jk8"));
    }

    [Fact]
    public void A_location_holding_a_secret_is_noticed()
    {
        Assert.True(SecretFormat.ContainsRecognisable("see " + SecretFormat.NewValue("cpsk") + " in the log"));
        Assert.False(SecretFormat.ContainsRecognisable("https://github.com/octo/repo/blob/main/config.yml"));
    }
}

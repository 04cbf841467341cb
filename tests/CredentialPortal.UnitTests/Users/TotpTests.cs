using System.Diagnostics;
using System.Text;
using CredentialPortal.Core.Users;

namespace CredentialPortal.UnitTests.Users;

public sealed class TotpTests
{
    // RFC 6238 appendix B, SHA-1 rows; authenticators show the last six of the eight digits.
    [Theory]
    [InlineData(59L, "287082")]
    [InlineData(1111111109L, "081804")]
    [InlineData(1111111111L, "050471")]
    [InlineData(1234567890L, "005924")]
    [InlineData(2000000000L, "279037")]
    [InlineData(20000000000L, "353130")]
    public void Matches_the_RFC_6238_test_vectors(long unixSeconds, string expected)
    {
        var key = Encoding.ASCII.GetBytes("12345678901234567890");

        var code = Totp.Compute(key, Totp.TimeStepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));

        Assert.Equal(expected, code);
    }

    [Fact]
    public void Matches_oathtool_for_a_base32_key()
    {
        const string oathtool = "/usr/bin/oathtool";
        Assert.SkipUnless(File.Exists(oathtool), "oathtool is not installed; ./test.sh installs it (apt-get install oathtool).");
        var key = Base32.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        var instant = new DateTimeOffset(2026, 11, 23, 9, 17, 41, TimeSpan.Zero);

        using var process = Process.Start(new ProcessStartInfo(oathtool)
        {
            ArgumentList = { "--totp", "-b", key, "--now", "2026-11-23 09:17:41 UTC" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(output, Totp.Compute(Base32.Decode(key)!, Totp.TimeStepAt(instant)));
    }

    [Theory]
    [InlineData("123456", "123456")]
    [InlineData(" 123 456 ", "123456")]
    [InlineData("123-456", "123456")]
    [InlineData("12345", null)]
    [InlineData("1234567", null)]
    [InlineData("12345a", null)]
    [InlineData("١٢٣٤٥٦", null)]
    [InlineData(null, null)]
    public void Normalizes_what_people_type(string? typed, string? expected) => Assert.Equal(expected, Totp.Normalize(typed));

    [Fact]
    public void Base32_round_trips_and_ignores_grouping()
    {
        var data = System.Security.Cryptography.RandomNumberGenerator.GetBytes(20);
        var encoded = Base32.Encode(data);

        Assert.Equal(32, encoded.Length);
        Assert.Equal(data, Base32.Decode(encoded));
        Assert.Equal(data, Base32.Decode(string.Join(' ', encoded.Chunk(4).Select(c => new string(c))).ToLowerInvariant()));
        Assert.Null(Base32.Decode("ABC1"));
    }
}

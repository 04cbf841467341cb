using System.Diagnostics;
using System.Text;
using CredentialPortal.Web.Account;
using OtpNet;

namespace CredentialPortal.UnitTests.Users;

/// <summary>The TOTP parameters the portal uses (Otp.NET does the math) agree with RFC 6238 and with oathtool.</summary>
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
        var totp = PortalTotp(Encoding.ASCII.GetBytes("12345678901234567890"));

        Assert.Equal(expected, totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime));
    }

    [Fact]
    public void Matches_oathtool_for_a_base32_key()
    {
        const string oathtool = "/usr/bin/oathtool";
        Assert.SkipUnless(File.Exists(oathtool), "oathtool is not installed; ./test.sh installs it (apt-get install oathtool).");
        var key = Base32Encoding.ToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        var instant = new DateTime(2026, 11, 23, 9, 17, 41, DateTimeKind.Utc);

        using var process = Process.Start(new ProcessStartInfo(oathtool)
        {
            ArgumentList = { "--totp", "-b", key, "--now", "2026-11-23 09:17:41 UTC" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();

        Assert.Equal(0, process.ExitCode);
        Assert.Equal(output, PortalTotp(Base32Encoding.ToBytes(key)).ComputeTotp(instant));
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
    public void Normalizes_what_people_type(string? typed, string? expected) => Assert.Equal(expected, TotpAuthenticator.NormalizeCode(typed));

    private static Totp PortalTotp(byte[] key) => new(key, TotpAuthenticator.StepSeconds, OtpHashMode.Sha1, TotpAuthenticator.Digits);
}

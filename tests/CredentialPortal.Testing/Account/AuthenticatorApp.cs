using CredentialPortal.Web.Account;
using Microsoft.Extensions.Time.Testing;
using OtpNet;

namespace CredentialPortal.Testing.Account;

/// <summary>What the user's phone does: RFC 6238 codes (Otp.NET) from the enrolled key, on the portal's fake clock.</summary>
public sealed class AuthenticatorApp(string key, FakeTimeProvider time)
{
    private readonly Totp _totp = new(Base32Encoding.ToBytes(key), TotpAuthenticator.StepSeconds, OtpHashMode.Sha1, TotpAuthenticator.Digits);

    public string Key { get; } = key;

    public string CodeAt(DateTimeOffset instant) => _totp.ComputeTotp(instant.UtcDateTime);

    public string CurrentCode() => CodeAt(time.GetUtcNow());

    /// <summary>Waits (moves the clock) to the start of the next 30-second step and returns its code, which no
    /// earlier sign-in can have used.</summary>
    public string NextCode()
    {
        time.Advance(TimeSpan.FromSeconds(_totp.RemainingSeconds(time.GetUtcNow().UtcDateTime)));
        return CurrentCode();
    }
}

using CredentialPortal.Core.Users;
using Microsoft.Extensions.Time.Testing;

namespace CredentialPortal.Testing.Account;

/// <summary>What the user's phone does: RFC 6238 codes from the enrolled key, on the portal's fake clock.</summary>
public sealed class AuthenticatorApp(string key, FakeTimeProvider time)
{
    private readonly byte[] _key = Base32.Decode(key) ?? throw new ArgumentException("Not a base32 key.", nameof(key));

    public string Key { get; } = key;

    public string CodeAt(DateTimeOffset instant) => Totp.Compute(_key, Totp.TimeStepAt(instant));

    public string CurrentCode() => CodeAt(time.GetUtcNow());

    /// <summary>Waits (moves the clock) to the start of the next 30-second step and returns its code, which no
    /// earlier sign-in can have used.</summary>
    public string NextCode()
    {
        var now = time.GetUtcNow();
        var nextStep = (Totp.TimeStepAt(now) + 1) * Totp.StepSeconds;
        time.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(nextStep));
        return CurrentCode();
    }
}

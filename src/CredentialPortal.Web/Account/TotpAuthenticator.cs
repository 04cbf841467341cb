using CredentialPortal.Core.Data;
using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OtpNet;

namespace CredentialPortal.Web.Account;

public enum TotpCheck
{
    Accepted,
    Invalid,

    /// <summary>The code is right but a code of this or a later time step was already accepted for the user.</summary>
    Replayed,
}

/// <summary>
/// The authenticator-app second factor as an Identity two-factor token provider: RFC 6238 (Otp.NET) with a window of ±1 time
/// step, and every code single-use. Identity's own AuthenticatorTokenProvider accepts a code again within its window;
/// here the accepted time step is stored with a compare-and-set, so a replay fails even when two requests race.
/// </summary>
public sealed class TotpAuthenticator(CredentialPortalDbContext db, TimeProvider time) : IUserTwoFactorTokenProvider<PortalUser>
{
    /// <summary>Registered under Identity's default authenticator name, replacing its replayable provider.</summary>
    public static readonly string ProviderName = TokenOptions.DefaultAuthenticatorProvider;
    public const string Issuer = "CredentialPortal";

    /// <summary>What standard authenticator apps show: 6 digits for 30-second steps (RFC 6238 defaults).</summary>
    public const int Digits = 6;
    public const int StepSeconds = 30;

    public async Task<TotpCheck> CheckAsync(UserManager<PortalUser> manager, PortalUser user, string? code)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(user);
        var digits = NormalizeCode(code);
        if (digits is null || await manager.GetAuthenticatorKeyAsync(user) is not { Length: > 0 } keyText)
        {
            return TotpCheck.Invalid;
        }

        byte[] key;
        try
        {
            key = Base32Encoding.ToBytes(keyText);
        }
        catch (ArgumentException)
        {
            return TotpCheck.Invalid;
        }

        // Otp.NET compares in constant time and reports which step matched, which the single-use rule needs.
        if (!new Totp(key, StepSeconds, OtpHashMode.Sha1, Digits)
            .VerifyTotp(time.GetUtcNow().UtcDateTime, digits, out var accepted, VerificationWindow.RfcSpecifiedNetworkDelay))
        {
            return TotpCheck.Invalid;
        }

        // One conditional UPDATE: of two concurrent requests with the same code, only one changes the row.
        var updated = await db.Users
            .Where(u => u.Id == user.Id && u.LastTotpTimeStep < accepted)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LastTotpTimeStep, accepted));
        if (updated == 0)
        {
            return TotpCheck.Replayed;
        }

        // Keep the tracked entity in step, or Identity's next UpdateAsync would write the old value back.
        user.LastTotpTimeStep = accepted;
        return TotpCheck.Accepted;
    }

    /// <summary>Usable once the user has an authenticator key.</summary>
    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<PortalUser> manager, PortalUser user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return !string.IsNullOrEmpty(await manager.GetAuthenticatorKeyAsync(user));
    }

    /// <summary>Codes come from the user's authenticator app; the server never generates or sends one.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<PortalUser> manager, PortalUser user) => Task.FromResult("");

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<PortalUser> manager, PortalUser user) =>
        await CheckAsync(manager, user, token) == TotpCheck.Accepted;

    /// <summary>The <c>otpauth://</c> URI authenticator apps read from the QR code.</summary>
    public static string AuthenticatorUri(string email, string key) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(email)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits={Digits}&period={StepSeconds}";

    /// <summary>
    /// Strips the spaces and hyphens people type; <c>null</c> when what is left is not exactly six digits.
    /// </summary>
    public static string? NormalizeCode(string? code)
    {
        var digits = code?.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return digits is { Length: Digits } && digits.All(char.IsAsciiDigit) ? digits : null;
    }

    /// <summary>The key in groups of four for typing it in by hand.</summary>
    public static string FormatKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return string.Join(' ', key.Chunk(4).Select(chunk => new string(chunk))).ToLowerInvariant();
    }
}

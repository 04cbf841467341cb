using System.Buffers.Text;
using CredentialPortal.Core.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CredentialPortal.Web.Account;

/// <summary>A registered passkey as the account page lists it; <see cref="Id"/> is the credential id, base64url.</summary>
public sealed record PasskeyListing(string Id, string Name, DateTimeOffset CreatedAt);

/// <summary>
/// The rules around a user's passkeys (Identity stores them): who must have one and what may be removed.
/// </summary>
public sealed class AccountPasskeys(UserManager<PortalUser> users, IOptions<AccountOptions> options)
{
    public const int MaxNameLength = 100;

    public async Task<IReadOnlyList<PasskeyListing>> ListAsync(PortalUser user) =>
        [.. (await users.GetPasskeysAsync(user)).OrderBy(p => p.CreatedAt)
            .Select(p => new PasskeyListing(Base64Url.EncodeToString(p.CredentialId), p.Name ?? "Passkey", p.CreatedAt))];

    /// <summary>The user's passkey with the credential id <paramref name="id"/> (base64url), if any.</summary>
    public async Task<UserPasskeyInfo?> FindAsync(PortalUser user, string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 2048 || !Base64Url.IsValid(id))
        {
            return null;
        }

        return await users.GetPasskeyAsync(user, Base64Url.DecodeFromChars(id));
    }

    /// <summary>The administrator policy applies to this user: administration only with a passkey sign-in.</summary>
    public async Task<bool> IsRequiredForAsync(PortalUser user) =>
        options.Value.RequirePhishingResistantMfaForAdministrators && await users.IsInRoleAsync(user, PortalRole.Administrator);

    /// <summary>
    /// Why the passkey cannot be removed, or <c>null</c>: at least one second factor must remain, and a passkey for
    /// someone the administrator policy applies to.
    /// </summary>
    public async Task<string?> WhyNotRemovableAsync(PortalUser user)
    {
        var passkeysLeft = (await users.GetPasskeysAsync(user)).Count - 1;
        if (passkeysLeft == 0 && await IsRequiredForAsync(user))
        {
            return "Administrators of this portal must sign in with a passkey: register another passkey before you remove this one.";
        }

        var authenticatorApp = user.TwoFactorEnabled && !string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user));
        return passkeysLeft == 0 && !authenticatorApp
            ? "This is your only second factor: set up an authenticator app or another passkey before you remove it."
            : null;
    }
}

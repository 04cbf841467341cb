using CredentialPortal.Core.Data;
using CredentialPortal.Core.Secrets;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Applications;

/// <summary>Which kinds of credential an application may authenticate with; set by administrators.</summary>
public enum AuthenticationPolicy
{
    SecretsAndKeys = 0,
    KeysOnly = 1,
    SecretsOnly = 2,
}

public static class AuthenticationPolicies
{
    public static bool Allows(this AuthenticationPolicy policy, CredentialKind kind) => policy switch
    {
        AuthenticationPolicy.KeysOnly => kind == CredentialKind.Key,
        AuthenticationPolicy.SecretsOnly => kind == CredentialKind.Secret,
        _ => true,
    };

    public static string Describe(this AuthenticationPolicy policy) => policy switch
    {
        AuthenticationPolicy.KeysOnly => "Keys only",
        AuthenticationPolicy.SecretsOnly => "Secrets only",
        _ => "Secrets and keys",
    };

    /// <summary>Why a credential of this kind may not be created, or null when it may.</summary>
    public static string? RefusalToCreate(this AuthenticationPolicy policy, CredentialKind kind) =>
        policy.Allows(kind) ? null
        : kind == CredentialKind.Secret
            ? "This application authenticates with keys only: an administrator set its policy so, and client secrets cannot be created for it. Add a public key instead."
            : "This application authenticates with client secrets only: an administrator set its policy so, and keys cannot be added to it.";

    /// <summary>
    /// What an administrator must know before saving a new policy, or null: secrets that stop working under "keys only"
    /// (and whether the application then has no active credential at all), keys that stop under "secrets only".
    /// </summary>
    public static async Task<string?> ChangeWarningAsync(CredentialPortalDbContext db, Application application, AuthenticationPolicy newPolicy,
        DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(application);
        if (newPolicy == application.AuthenticationPolicy || newPolicy == AuthenticationPolicy.SecretsAndKeys)
        {
            return null;
        }

        var active = await db.ClientCredentials
            .Where(c => c.ApplicationId == application.Id && c.DisabledAt == null && c.ExpiresAt > now)
            .GroupBy(c => c.Kind).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var (losing, keeping) = newPolicy == AuthenticationPolicy.KeysOnly ? (CredentialKind.Secret, CredentialKind.Key) : (CredentialKind.Key, CredentialKind.Secret);
        var lost = active.GetValueOrDefault(losing);
        if (lost == 0)
        {
            return null;
        }

        var noun = losing == CredentialKind.Secret ? "client secret" : "key";
        return $"With \"{newPolicy.Describe()}\", the application's {(lost == 1 ? $"1 active {noun} stops" : $"{lost} active {noun}s stop")} obtaining tokens at once" +
            (active.GetValueOrDefault(keeping) == 0 ? $", and it has no active {(keeping == CredentialKind.Key ? "key" : "secret")}: its API access stops." : ".") +
            " Save again to confirm.";
    }
}

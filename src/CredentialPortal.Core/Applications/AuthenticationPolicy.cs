using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
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
        policy.Allows(kind) ? null : kind.Words().RefusedByPolicy;

    /// <summary>
    /// What an administrator must know before saving a new policy, or null: the active credentials of kinds the new policy
    /// does not allow, which stop obtaining tokens at once (and whether the application then has none that can).
    /// </summary>
    public static async Task<string?> ChangeWarningAsync(CredentialPortalDbContext db, Application application, AuthenticationPolicy newPolicy,
        DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(application);
        if (newPolicy == application.AuthenticationPolicy)
        {
            return null;
        }

        var active = await db.ClientCredentials
            .Where(c => c.ApplicationId == application.Id)
            .Where(CredentialQueries.Active<ClientCredential>(now))
            .GroupBy(c => c.Kind).Select(g => new { Kind = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var lost = active.Where(g => !newPolicy.Allows(g.Kind) && g.Count > 0).OrderBy(g => g.Kind).ToList();
        if (lost.Count == 0)
        {
            return null;
        }

        var stopping = string.Join(" and ", lost.Select(g => g.Count == 1 ? $"1 active {g.Kind.Words().FullNoun}" : $"{g.Count} active {g.Kind.Words().FullNoun}s"));
        var kept = CredentialQueries.KindsAllowedBy(newPolicy);
        return $"With \"{newPolicy.Describe()}\", the application's {stopping} {(lost.Sum(g => g.Count) == 1 ? "stops" : "stop")} obtaining tokens at once" +
            (active.Any(g => newPolicy.Allows(g.Kind) && g.Count > 0)
                ? "."
                : $", and it has no active {string.Join(" or ", kept.Select(k => k.Words().Noun))}: its API access stops.") +
            " Save again to confirm.";
    }
}

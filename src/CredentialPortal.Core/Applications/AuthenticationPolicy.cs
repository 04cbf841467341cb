using CredentialPortal.Core.Data;
using CredentialPortal.Core.Credentials;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Applications;

/// <summary>
/// The previous release's policy, still stored (column <c>AuthenticationPolicy</c>) for it to read while an upgrade rolls
/// out; the values keep their meaning. This release decides by <see cref="AllowedKinds"/>.
/// </summary>
public enum AuthenticationPolicy
{
    SecretsAndKeys = 0,
    KeysOnly = 1,
    SecretsOnly = 2,
}

/// <summary>The kinds of credential an application may authenticate with; set by administrators, every kind by default.</summary>
[Flags]
public enum AllowedKinds
{
    None = 0,
    Secrets = 1,
    Keys = 2,
    FederatedIdentities = 4,
    All = Secrets | Keys | FederatedIdentities,
}

public static class AuthenticationPolicies
{
    /// <summary>Every set an administrator may choose: at least one kind.</summary>
    public static IReadOnlyList<AllowedKinds> Choices { get; } =
        [.. Enumerable.Range(1, (int)AllowedKinds.All).Select(v => (AllowedKinds)v).OrderByDescending(k => k == AllowedKinds.All).ThenBy(k => (int)k)];

    public static AllowedKinds Flag(this CredentialKind kind) => kind switch
    {
        CredentialKind.Secret => AllowedKinds.Secrets,
        CredentialKind.Key => AllowedKinds.Keys,
        CredentialKind.FederatedIdentity => AllowedKinds.FederatedIdentities,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a credential kind."),
    };

    public static bool Allows(this AllowedKinds kinds, CredentialKind kind) => (kinds & kind.Flag()) != 0;

    /// <summary>
    /// What the stored columns allow: the set this release saved, unless none was saved; then the previous release's policy,
    /// whose "secrets and keys" (0, the default) means every kind — federated identities too, which the operator opts into
    /// by trusting an issuer — and whose "keys only" and "secrets only" keep meaning exactly that.
    /// </summary>
    public static AllowedKinds Effective(AllowedKinds? saved, AuthenticationPolicy previous) =>
        saved ?? previous switch
        {
            AuthenticationPolicy.KeysOnly => AllowedKinds.Keys,
            AuthenticationPolicy.SecretsOnly => AllowedKinds.Secrets,
            _ => AllowedKinds.All,
        };

    /// <summary>
    /// The previous release's nearest policy: it knows secrets and keys only. A set without secrets is "keys only" and one
    /// without keys "secrets only"; federated identities alone is "keys only" too (that release cannot refuse both), which
    /// a partner who cannot hold keys does not use while it runs.
    /// </summary>
    public static AuthenticationPolicy ForPreviousRelease(AllowedKinds kinds) =>
        !kinds.HasFlag(AllowedKinds.Secrets) ? AuthenticationPolicy.KeysOnly
        : !kinds.HasFlag(AllowedKinds.Keys) ? AuthenticationPolicy.SecretsOnly
        : AuthenticationPolicy.SecretsAndKeys;

    /// <summary>"Every kind", "Keys only", "Secrets and federated identities".</summary>
    public static string Describe(this AllowedKinds kinds)
    {
        if (kinds == AllowedKinds.All)
        {
            return "Every kind (secrets, keys and federated identities)";
        }

        var names = CredentialKinds.All.Where(k => kinds.Allows(k)).Select(k => k.Words().PluralNoun).ToList();
        var text = names.Count == 1 ? names[0] + " only" : string.Join(" and ", names);
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    /// <summary>Why a credential of this kind may not be created, or null when it may.</summary>
    public static string? RefusalToCreate(this AllowedKinds kinds, CredentialKind kind) =>
        kinds.Allows(kind) ? null : kind.Words().RefusedByPolicy;

    /// <summary>
    /// What an administrator must know before saving new allowed kinds, or null: the active credentials of kinds the new set
    /// does not allow, which stop obtaining tokens at once (and whether the application then has none that can).
    /// </summary>
    public static async Task<string?> ChangeWarningAsync(CredentialPortalDbContext db, Application application, AllowedKinds newKinds,
        DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(application);
        if (newKinds == application.AllowedKinds)
        {
            return null;
        }

        var active = await db.ClientCredentials
            .Where(c => c.ApplicationId == application.Id)
            .Where(CredentialQueries.Active<ClientCredential>(now))
            .GroupBy(c => c.Kind).Select(g => new { Kind = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var lost = active.Where(g => !newKinds.Allows(g.Kind) && g.Count > 0).OrderBy(g => g.Kind).ToList();
        if (lost.Count == 0)
        {
            return null;
        }

        var stopping = string.Join(" and ", lost.Select(g => g.Count == 1 ? $"1 active {g.Kind.Words().FullNoun}" : $"{g.Count} active {g.Kind.Words().FullPluralNoun}"));
        var kept = CredentialQueries.KindsAllowedBy(newKinds);
        return $"With \"{newKinds.Describe()}\", the application's {stopping} {(lost.Sum(g => g.Count) == 1 ? "stops" : "stop")} obtaining tokens at once" +
            (active.Any(g => newKinds.Allows(g.Kind) && g.Count > 0)
                ? "."
                : $", and it has no active {string.Join(" or ", kept.Select(k => k.Words().Noun))}: its API access stops.") +
            " Save again to confirm.";
    }
}

using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Credentials;

/// <summary>The checks a new secret and a new key share: the name, the application's policy and its credential limit.</summary>
public static class CredentialRules
{
    /// <summary>The trimmed name, or a message saying why it is not acceptable.</summary>
    public static (string? Name, string? Error) ValidateName(string? name, CredentialKind kind)
    {
        name = name?.Trim();
        return string.IsNullOrEmpty(name) ? (null, $"Enter a name for the {kind.Words().Noun}.")
            : PlainText.HasControlCharacters(name) ? (null, $"The name {PlainText.ErrorMessage}.")
            : name.Length > ClientCredential.MaxNameLength ? (null, $"The name can be at most {ClientCredential.MaxNameLength} characters.")
            : (name, null);
    }

    /// <summary>
    /// The most credentials of <paramref name="kind"/> an application may hold: its limit counts every kind together
    /// (disabled and expired ones too), so what the other kinds hold is not available to this one. <paramref name="held"/>
    /// says how many credentials of each kind the application holds; a kind it holds none of may be missing.
    /// </summary>
    public static int LimitFor(int credentialLimit, IReadOnlyDictionary<CredentialKind, int> held, CredentialKind kind)
    {
        ArgumentNullException.ThrowIfNull(held);
        return Math.Max(0, credentialLimit - held.Where(h => h.Key != kind).Sum(h => h.Value));
    }

    /// <summary>
    /// Why the application may not get another credential of this kind (its policy, or its limit, which counts every kind
    /// together, disabled and expired ones too), or null when it may.
    /// </summary>
    public static async Task<string?> RefusalToCreateAsync(CredentialPortalDbContext db, Application application, CredentialKind kind,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(application);
        if (application.AllowedKinds.RefusalToCreate(kind) is { } refusal)
        {
            return refusal;
        }

        var counts = await db.ClientCredentials.Where(c => c.ApplicationId == application.Id)
            .GroupBy(c => c.Kind).Select(g => new { Kind = g.Key, Count = g.Count() })
            .ToDictionaryAsync(c => c.Kind, c => c.Count, cancellationToken);
        if (counts.GetValueOrDefault(kind) < LimitFor(application.CredentialLimit, counts, kind))
        {
            return null;
        }

        var held = string.Join(" and ", counts.Where(c => c.Value > 0).OrderBy(c => c.Key).Select(c => c.Key.Words().Count(c.Value)));
        return $"This application already has {held}, the most it may have ({application.CredentialLimit}). " +
            "Secrets, keys and federated identities count together: delete one you no longer use first.";
    }
}

using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Secrets;

/// <summary>The checks a new secret and a new key share: the name, the application's policy and its credential limit.</summary>
public static class CredentialRules
{
    /// <summary>The trimmed name, or a message saying why it is not acceptable.</summary>
    public static (string? Name, string? Error) ValidateName(string? name, CredentialKind kind)
    {
        name = name?.Trim();
        var noun = kind == CredentialKind.Key ? "key" : "secret";
        return string.IsNullOrEmpty(name) ? (null, $"Enter a name for the {noun}.")
            : PlainText.HasControlCharacters(name) ? (null, $"The name {PlainText.ErrorMessage}.")
            : name.Length > ClientCredential.MaxNameLength ? (null, $"The name can be at most {ClientCredential.MaxNameLength} characters.")
            : (name, null);
    }

    /// <summary>
    /// Why the application may not get another credential of this kind (its policy, or its limit, which counts secrets
    /// and keys together, disabled and expired ones too), or null when it may.
    /// </summary>
    public static async Task<string?> RefusalToCreateAsync(CredentialPortalDbContext db, Application application, CredentialKind kind,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(application);
        if (application.AuthenticationPolicy.RefusalToCreate(kind) is { } refusal)
        {
            return refusal;
        }

        var counts = await db.ClientCredentials.Where(c => c.ApplicationId == application.Id)
            .GroupBy(c => c.Kind).Select(g => new { Kind = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Kind, g => g.Count, cancellationToken);
        var secrets = counts.GetValueOrDefault(CredentialKind.Secret);
        var keys = counts.GetValueOrDefault(CredentialKind.Key);
        if (secrets + keys < application.SecretLimit)
        {
            return null;
        }

        static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
        var held = keys == 0 ? Count(secrets, "secret") : secrets == 0 ? Count(keys, "key") : $"{Count(secrets, "secret")} and {Count(keys, "key")}";
        return $"This application already has {held}, the most it may have ({application.SecretLimit}). " +
            "Secrets and keys count together: delete a secret or key you no longer use first.";
    }

    /// <summary>
    /// Makes the save of a new credential fail with <see cref="DbUpdateConcurrencyException"/> when the application
    /// changed since it was loaded (e.g. a concurrent creation), so that the limit check and the insert are one decision.
    /// </summary>
    public static void ClaimApplicationVersion(CredentialPortalDbContext db, Application application)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(application);
        if (db.Entry(application).State == EntityState.Detached)
        {
            db.Applications.Attach(application);
        }

        application.Version = Guid.NewGuid();
    }
}

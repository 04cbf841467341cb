using CredentialPortal.Core.Credentials;
using CredentialPortal.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CredentialPortal.Core.Audit;

/// <summary>
/// Who did something, as people read it. The management API records its callers by client_id (what the API reports
/// and what an audit search needs), which tells a credential manager nothing; pages and emails show the calling
/// application's name instead, "Partner-NL-DemoOrg-DM (API)". Resolved when shown, so credentials created before this
/// rule read the same, and a renamed application shows its current name.
/// </summary>
public static class ActorNames
{
    public static string OfApplication(string applicationName) => $"{applicationName} (API)";

    /// <summary>The display names of those <paramref name="actors"/> that are client IDs, by client ID; users' emails and "system" need none.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> OfClientsAsync(CredentialPortalDbContext db, IEnumerable<string> actors,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actors);
        var clientIds = actors.Where(SecretGenerator.IsWellFormedClientId).Distinct(StringComparer.Ordinal).ToList();
        if (clientIds.Count == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return await db.Applications.AsNoTracking()
            .Where(a => clientIds.Contains(a.ClientId))
            .ToDictionaryAsync(a => a.ClientId, a => OfApplication(a.Name), StringComparer.Ordinal, cancellationToken);
    }

    /// <summary>The actor as people read it: the application's name for a client ID in <paramref name="names"/>, else as recorded.</summary>
    public static string Display(this IReadOnlyDictionary<string, string> names, string actor)
    {
        ArgumentNullException.ThrowIfNull(names);
        return names.GetValueOrDefault(actor, actor);
    }
}

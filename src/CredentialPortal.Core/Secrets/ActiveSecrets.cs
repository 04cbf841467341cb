using System.Linq.Expressions;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Keys;

namespace CredentialPortal.Core.Secrets;

/// <summary>
/// <see cref="ClientCredential.StatusOf"/>'s "active" rule (not disabled, not yet expired) as a query expression, for every
/// database query that asks which secrets can obtain tokens: one place, so the pages, the dashboard, the API and the
/// reminders cannot drift apart. Inside a navigation, use <c>a.Secrets.AsQueryable().Any(ActiveSecrets.At(now))</c>
/// with the expression held in a local variable.
/// </summary>
public static class ActiveSecrets
{
    /// <summary>Secrets that can obtain tokens at <paramref name="now"/>.</summary>
    public static Expression<Func<ClientSecret, bool>> At(DateTime now) => Active<ClientSecret>(now);

    /// <summary>Secrets or keys that are neither disabled nor expired at <paramref name="now"/> (whatever the application's policy).</summary>
    public static Expression<Func<T, bool>> Active<T>(DateTime now)
        where T : ClientCredential => c => c.DisabledAt == null && c.ExpiresAt > now;

    /// <summary>Active secrets that expire before <paramref name="before"/> (see <see cref="SecretExpiryPolicy.ExpiringSoonBefore"/>).</summary>
    public static Expression<Func<ClientSecret, bool>> ExpiringBefore(DateTime now, DateTime before) =>
        s => s.DisabledAt == null && s.ExpiresAt > now && s.ExpiresAt < before;

    /// <summary>
    /// Applications that can obtain tokens at <paramref name="now"/>: an active credential of a kind their authentication
    /// policy allows (a keys-only application with active keys can; one with only secrets cannot).
    /// </summary>
    public static Expression<Func<Application, bool>> CanAuthenticateAt(DateTime now)
    {
        var activeSecret = Active<ClientSecret>(now);
        var activeKey = Active<ClientKey>(now);
        return a => (a.AuthenticationPolicy != AuthenticationPolicy.KeysOnly && a.Secrets.AsQueryable().Any(activeSecret))
            || (a.AuthenticationPolicy != AuthenticationPolicy.SecretsOnly && a.Keys.AsQueryable().Any(activeKey));
    }

    /// <summary>The applications <see cref="CanAuthenticateAt"/> leaves out.</summary>
    public static Expression<Func<Application, bool>> CannotAuthenticateAt(DateTime now)
    {
        var can = CanAuthenticateAt(now);
        return Expression.Lambda<Func<Application, bool>>(Expression.Not(can.Body), can.Parameters);
    }

    public static IQueryable<ClientSecret> ActiveAt(this IQueryable<ClientSecret> secrets, DateTime now) => secrets.Where(At(now));
}

using System.Linq.Expressions;
using CredentialPortal.Core.Applications;
using CredentialPortal.Core.Data;

namespace CredentialPortal.Core.Credentials;

/// <summary>
/// The credential rules as query expressions, for every database query that asks which credentials obtain tokens, which
/// expire soon and which the reminders look at: one place, so that the pages, the dashboard, the API and the reminders
/// cannot drift apart. <see cref="ClientCredential.StatusOf"/> is the same "active" rule for loaded credentials, and
/// <see cref="AuthenticationPolicies.Allows"/> the one policy rule, which these expressions are built from.
/// </summary>
public static class CredentialQueries
{
    /// <summary>Credentials that are neither disabled nor expired at <paramref name="now"/> (whatever the application's policy).</summary>
    public static Expression<Func<T, bool>> Active<T>(DateTime now)
        where T : ClientCredential => c => c.DisabledAt == null && c.ExpiresAt > now;

    /// <summary>Active credentials that expire before <paramref name="before"/> (see <see cref="CredentialExpiryPolicy.ExpiringSoonBefore"/>).</summary>
    public static Expression<Func<T, bool>> ExpiringBefore<T>(DateTime now, DateTime before)
        where T : ClientCredential => c => c.DisabledAt == null && c.ExpiresAt > now && c.ExpiresAt < before;

    /// <summary>The kinds <paramref name="policy"/> allows to obtain tokens.</summary>
    public static IReadOnlyList<CredentialKind> KindsAllowedBy(AllowedKinds policy) =>
        [.. CredentialKinds.All.Where(kind => policy.Allows(kind))];

    /// <summary>Credentials that obtain tokens at <paramref name="now"/> for an application with <paramref name="policy"/>.</summary>
    public static Expression<Func<ClientCredential, bool>> UsableUnder(AllowedKinds policy, DateTime now)
    {
        var kinds = KindsAllowedBy(policy);
        return c => c.DisabledAt == null && c.ExpiresAt > now && kinds.Contains(c.Kind);
    }

    /// <summary>
    /// Applications that can obtain tokens at <paramref name="now"/>: an active credential (among
    /// <paramref name="credentials"/>, the context's <c>ClientCredentials</c>) of a kind their authentication policy
    /// allows — a keys-only application with active keys can, one with only secrets cannot. One probe per kind of the
    /// (ApplicationId, Kind, DisabledAt, ExpiresAt) index.
    /// </summary>
    public static Expression<Func<Application, bool>> CanAuthenticateAt(IQueryable<ClientCredential> credentials, DateTime now)
    {
        var application = Expression.Parameter(typeof(Application), "a");
        Expression? any = null;
        foreach (var kind in CredentialKinds.All)
        {
            // AuthenticationPolicies.Effective as a query: the saved set when there is one, else the previous release's policy.
            var sets = AuthenticationPolicies.Choices.Where(k => k.Allows(kind)).Select(k => (AllowedKinds?)k).ToList();
            var previous = Enum.GetValues<AuthenticationPolicy>().Where(p => AuthenticationPolicies.Effective(null, p).Allows(kind)).ToList();
            Expression<Func<Application, bool>> usable = a =>
                (a.AllowedCredentialKinds != null ? sets.Contains(a.AllowedCredentialKinds) : previous.Contains(a.AuthenticationPolicy))
                && credentials.Any(c => c.ApplicationId == a.Id && c.Kind == kind && c.DisabledAt == null && c.ExpiresAt > now);
            var body = new ParameterReplacer(usable.Parameters[0], application).Visit(usable.Body);
            any = any is null ? body : Expression.OrElse(any, body);
        }

        return Expression.Lambda<Func<Application, bool>>(any ?? Expression.Constant(false), application);
    }

    /// <summary>The applications <see cref="CanAuthenticateAt"/> leaves out.</summary>
    public static Expression<Func<Application, bool>> CannotAuthenticateAt(IQueryable<ClientCredential> credentials, DateTime now)
    {
        var can = CanAuthenticateAt(credentials, now);
        return Expression.Lambda<Func<Application, bool>>(Expression.Not(can.Body), can.Parameters);
    }

    /// <summary>
    /// What the reminders look at, for both the pass that queues them and the outbox's last check before sending: the
    /// credentials among <paramref name="credentials"/> that are neither disabled nor replaced in a rotation (its grace
    /// period is chosen, not forgotten: no reminder asks to replace it again), of active applications, each with the
    /// latest expiry of its application's other credentials that are not disabled (<see cref="ReminderCandidate.Replaced"/>).
    /// </summary>
    public static IQueryable<ReminderCandidate> ReminderCandidates(CredentialPortalDbContext db, IQueryable<ClientCredential> credentials)
    {
        ArgumentNullException.ThrowIfNull(db);
        return credentials
            .Where(c => c.DisabledAt == null && c.ReplacedById == null && db.Applications.Any(a => a.Id == c.ApplicationId && a.IsActive))
            .Select(c => new ReminderCandidate
            {
                Id = c.Id,
                ExpiresAt = c.ExpiresAt,
                OtherLatestExpiry = db.ClientCredentials
                    .Where(o => o.ApplicationId == c.ApplicationId && o.Id != c.Id && o.DisabledAt == null)
                    .Max(o => (DateTime?)o.ExpiresAt),
            });
    }

    private sealed class ParameterReplacer(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

/// <summary>A credential the reminders may write about (see <see cref="CredentialQueries.ReminderCandidates"/>).</summary>
public sealed class ReminderCandidate
{
    public int Id { get; init; }
    public DateTime ExpiresAt { get; init; }

    /// <summary>The latest expiry of the application's other credentials that are not disabled, if any.</summary>
    public DateTime? OtherLatestExpiry { get; init; }

    /// <summary>Replaced by a later one: another credential of the application, not disabled, expires after this one.</summary>
    public bool Replaced => OtherLatestExpiry > ExpiresAt;
}
